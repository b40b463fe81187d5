using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NumoTelemetry.Dashboard;
using NumoTelemetry.Dashboard.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the NumoTelemetry analyst dashboard.</summary>
public static class NumoTelemetryDashboardEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the dashboard page (embedded HTML, CSS and JavaScript), its JSON API under <c>{prefix}/api</c> and the CSV
    /// export, all guarded by the authorization policy named in <c>NumoTelemetry:Dashboard:AuthorizationPolicy</c>.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The path the dashboard is served at.</param>
    /// <returns>The endpoints' convention builder (for further conventions such as host filters or rate limits).</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AddDashboard</c> was not called; or no authorization policy is configured (outside Development with
    /// <see cref="DashboardOptions.AllowAnonymousInDevelopment"/>); or the named policy does not exist; or there is no
    /// authentication scheme to challenge a visitor who is not signed in (<c>AddAuthentication</c> was not called, or
    /// the policy names a scheme that is not registered).
    /// </exception>
    public static IEndpointConventionBuilder MapNumoTelemetryDashboard(this IEndpointRouteBuilder endpoints, string prefix = "/numo")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!prefix.StartsWith('/'))
        {
            throw new ArgumentException($"The dashboard prefix must start with '/'; it was '{prefix}'.", nameof(prefix));
        }

        var services = endpoints.ServiceProvider;
        if (services.GetService<DashboardMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the NumoTelemetry dashboard services. Add them with " +
                "'builder.Services.AddNumoTelemetry(...).AddDashboard()' before building the app, then call 'app.MapNumoTelemetryDashboard(\"/numo\")'.");
        }

        var options = services.GetRequiredService<IOptions<DashboardOptions>>().Value;
        var policy = options.AuthorizationPolicy;
        if (string.IsNullOrWhiteSpace(policy))
        {
            var environment = services.GetService<IHostEnvironment>();
            if (!options.AllowAnonymousInDevelopment || environment is null || !environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    "The NumoTelemetry dashboard needs an authorization policy: set NumoTelemetry:Dashboard:AuthorizationPolicy to the name of a " +
                    "policy added with builder.Services.AddAuthorization(o => o.AddPolicy(name, ...)). Only in the Development environment may " +
                    "NumoTelemetry:Dashboard:AllowAnonymousInDevelopment=true map it without one.");
            }

            DashboardLog.AnonymousInDevelopment(services.GetRequiredService<ILoggerFactory>().CreateLogger("NumoTelemetry.Dashboard"), prefix);
            var open = DashboardEndpoints.Map(endpoints, prefix).AllowAnonymous();
            MapWorkspace(endpoints, services, prefix, options);
            return open;
        }

        var provider = services.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException(
                $"The NumoTelemetry dashboard's policy '{policy}' needs authorization services: call builder.Services.AddAuthorization(...) and app.UseAuthorization().");
        var found = provider.GetPolicyAsync(policy).GetAwaiter().GetResult()
            ?? throw new InvalidOperationException(
                $"NumoTelemetry:Dashboard:AuthorizationPolicy names the policy '{policy}', which is not registered: add it with " +
                "builder.Services.AddAuthorization(o => o.AddPolicy(...)).");
        RequireAuthenticationScheme(services, policy, found);
        var group = DashboardEndpoints.Map(endpoints, prefix).RequireAuthorization(policy);
        MapWorkspace(endpoints, services, prefix, options);
        return group;
    }

    /// <summary>
    /// Maps the fraud investigators' workspace when <c>NumoTelemetry:Dashboard:FraudPolicy</c> is set: its policy (and the
    /// lookup policy, when set) must exist and be able to challenge, as the analysts' must; never anonymous.
    /// </summary>
    private static void MapWorkspace(IEndpointRouteBuilder endpoints, IServiceProvider services, string prefix, DashboardOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.FraudPolicy))
        {
            return;
        }

        var provider = services.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException(
                $"The NumoTelemetry fraud workspace's policy '{options.FraudPolicy}' (NumoTelemetry:Dashboard:FraudPolicy) needs authorization services: call builder.Services.AddAuthorization(...) and app.UseAuthorization().");
        foreach (var (setting, name) in new[] { ("FraudPolicy", options.FraudPolicy), ("FraudLookupPolicy", options.FraudLookupPolicy) })
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                continue;
            }

            var found = provider.GetPolicyAsync(name).GetAwaiter().GetResult()
                ?? throw new InvalidOperationException(
                    $"NumoTelemetry:Dashboard:{setting} names the policy '{name}', which is not registered: add it with " +
                    "builder.Services.AddAuthorization(o => o.AddPolicy(...)).");
            RequireAuthenticationScheme(services, name, found, "NumoTelemetry:Dashboard:" + setting);
        }

        var lookup = string.IsNullOrWhiteSpace(options.FraudLookupPolicy) ? null : options.FraudLookupPolicy;
        WorkspaceEndpoints.Map(endpoints, prefix, lookup).RequireAuthorization(options.FraudPolicy);
    }

    /// <summary>
    /// A policy refuses an anonymous visitor by challenging an authentication scheme; without one the refusal throws
    /// inside the request and the dashboard answers HTTP 500. So the policy's own schemes must exist, or (when it
    /// names none) the application must have a default challenge scheme.
    /// </summary>
    private static void RequireAuthenticationScheme(IServiceProvider services, string policyName, AuthorizationPolicy policy, string setting = "NumoTelemetry:Dashboard:AuthorizationPolicy")
    {
        const string Fix =
            "Register authentication, for example builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie() " +
            "(or AddJwtBearer, AddOpenIdConnect, ...), and call app.UseAuthentication() before app.UseAuthorization().";
        var schemes = services.GetService<IAuthenticationSchemeProvider>()
            ?? throw new InvalidOperationException(
                $"The NumoTelemetry dashboard's policy '{policyName}' ({setting}) needs an authentication scheme to " +
                $"challenge visitors who are not signed in, but no authentication services are registered (AddAuthentication was not called). {Fix}");
        if (policy.AuthenticationSchemes.Count > 0)
        {
            foreach (var name in policy.AuthenticationSchemes)
            {
                if (schemes.GetSchemeAsync(name).GetAwaiter().GetResult() is null)
                {
                    throw new InvalidOperationException(
                        $"The NumoTelemetry dashboard's policy '{policyName}' ({setting}) uses the authentication scheme " +
                        $"'{name}', which is not registered (AddAuthentication().Add...(\"{name}\")). {Fix}");
                }
            }
        }
        else if (schemes.GetDefaultChallengeSchemeAsync().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException(
                $"The NumoTelemetry dashboard's policy '{policyName}' ({setting}) names no authentication scheme and " +
                $"there is no default challenge scheme, so a visitor who is not signed in would get HTTP 500 instead of a sign-in. {Fix}");
        }
    }
}
