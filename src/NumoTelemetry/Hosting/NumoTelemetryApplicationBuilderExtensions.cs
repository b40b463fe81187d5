using Microsoft.Extensions.DependencyInjection;
using NumoTelemetry.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the NumoTelemetry middleware.</summary>
public static class NumoTelemetryApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the middleware that captures and pseudonymises every request. Put it early: before routing,
    /// static files and authentication, so that it sees every request and its final status.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddNumoTelemetry</c> was not called.</exception>
    public static IApplicationBuilder UseNumoTelemetry(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<NumoTelemetryMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the NumoTelemetry services. Add them by calling " +
                "'builder.Services.AddNumoTelemetry(builder.Configuration.GetSection(\"NumoTelemetry\"))' " +
                "(or the Action<NumoTelemetryOptions> overload) before building the app, then call 'app.UseNumoTelemetry()'.");
        }

        return app.UseMiddleware<NumoTelemetryMiddleware>();
    }
}
