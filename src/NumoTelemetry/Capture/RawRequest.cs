using System.Runtime.InteropServices;
using Microsoft.Extensions.Primitives;
using NumoTelemetry.Records;

namespace NumoTelemetry.Capture;

/// <summary>
/// What the middleware keeps of a request for the rest of its capture: references to the request's own header strings
/// (no copies, no allocation) and the socket peer. The pipeline's consumer pseudonymises them, parses the User-Agent and
/// enriches the record in its next batch (within <see cref="Pipeline.PipelineOptions.PollInterval"/>), then clears them;
/// a request whose risk the site reads, or that enforcement may block, is captured on the request thread instead.
/// Raw values stay in process memory only: they are never in a <see cref="RequestRecord"/>, a log, a metric or an
/// exception message.
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct RawRequest
{
    /// <summary>Whether the capture still has to be finished from these values.</summary>
    public bool Pending;

    /// <summary>Whether the pipeline verifies the visitor cookie, if the request has one (the request thread did not need to).</summary>
    public bool VerifyVisitor;

    public ClientAddress Peer;
    public StringValues Forwarded;
    public StringValues XForwardedFor;
    public string? UserAgent;
    public string? AcceptLanguage;
    public string? Referer;
    public string? Host;
    public string? Path;
    public string? Query;
    public string? Phone;

    /// <summary>The Cookie header, when the request thread did not need to scan it (the pipeline does).</summary>
    public StringValues Cookies;

    /// <summary>The session cookie's value, a slice of the Cookie header.</summary>
    public ReadOnlyMemory<char> Session;

    /// <summary>The visitor id: a slice of the Cookie header, or the id just issued.</summary>
    public ReadOnlyMemory<char> Visitor;
}
