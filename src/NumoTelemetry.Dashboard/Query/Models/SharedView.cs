namespace NumoTelemetry.Dashboard.Query.Models;

/// <summary>A share link as issued: its id (for revocation), its path and when it expires.</summary>
internal sealed record ShareLink(string Id, string Url, DateTimeOffset Expires);

/// <summary>The one view a share link names: an overview or a top list.</summary>
internal sealed record SharedView(string View, int K, Overview? Overview, TopList? Top);
