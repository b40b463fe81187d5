namespace NumoTelemetry.Fraud;

/// <summary>What the middleware does with a risky request.</summary>
public enum EnforcementMode
{
    /// <summary>Monitor only: record and alert, never interfere with the request (the default).</summary>
    Monitor = 0,

    /// <summary>
    /// Answer requests at or above the band with <see cref="EnforcementOptions.StatusCode"/> (429 by default), <c>Retry-After</c> and a
    /// problem details body, or the site's <see cref="EnforcementOptions.OnBlocked"/> page.
    /// </summary>
    Block = 1,

    /// <summary>Hand requests at or above the band to <see cref="EnforcementOptions.Challenge"/>.</summary>
    Challenge = 2,
}
