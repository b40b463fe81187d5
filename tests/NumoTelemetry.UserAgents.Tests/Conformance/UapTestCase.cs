namespace NumoTelemetry.UserAgents.Tests.Conformance;

/// <summary>One case of a uap-core test file: the User-Agent and the expected fields (null where empty).</summary>
internal sealed record UapTestCase(string UserAgent, IReadOnlyDictionary<string, string?> Expected, int Line);
