namespace NumoTelemetry.Dashboard.Tests.Infrastructure;

/// <summary>The sample's demo-traffic summary.</summary>
public sealed record DemoTrafficResult(int Requests, int PageViews, int Visitors, int ForumVisitors);
