namespace NumoTelemetry.Alerts;

/// <summary>Links from alerts to the fraud workspace (<see cref="AlertOptions.WorkspaceUrl"/>).</summary>
internal static class AlertLinks
{
    /// <summary><c>{WorkspaceUrl}/fraud/#/alert/{id}</c> (the workspace page's alert detail), or <see langword="null"/> when no workspace address is set.</summary>
    public static string? Of(AlertOptions options, FraudAlert alert) => Of(options.WorkspaceUrl, alert.Id);

    public static string? Of(Uri? workspace, string id)
    {
        if (workspace is null)
        {
            return null;
        }

        var text = workspace.AbsoluteUri;
        return string.Concat(text.EndsWith('/') ? text : text + "/", "fraud/#/alert/", Uri.EscapeDataString(id));
    }
}
