namespace NumoTelemetry.Alerts;

/// <summary>How an <see cref="AlertPoster"/> POST ended.</summary>
internal enum AlertPostResult
{
    /// <summary>The receiver took it (2xx).</summary>
    Delivered,

    /// <summary>The receiver answered 410 Gone: it wants no more.</summary>
    Gone,

    /// <summary>Rejected, or the attempts ran out.</summary>
    Failed,

    /// <summary>The sink is stopping.</summary>
    Canceled,
}
