namespace NumoTelemetry.Tests.Fraud.HeldOut;

/// <summary>A held-out scenario: benign or attack, whether the issue lists it as a trap, and the rule family an analyst would expect.</summary>
internal sealed record HeldOutScenario(string Name, bool Attack, bool Trap, string Description, string ExpectedFamily, IReadOnlyList<string> ExpectedRules);
