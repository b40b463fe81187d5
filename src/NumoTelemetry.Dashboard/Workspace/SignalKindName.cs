using NumoTelemetry.Records;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>An app signal's kind with its stable text (<c>login_failed</c>, ...), for timelines.</summary>
internal readonly record struct SignalKindName(SignalKind Kind)
{
    public string Text => Kind switch
    {
        SignalKind.LoginFailed => "login_failed",
        SignalKind.LoginSucceeded => "login_succeeded",
        SignalKind.SignUp => "sign_up",
        SignalKind.Identified => "identified",
        SignalKind.Custom => "custom",
        SignalKind.AccountClosed => "account_closed",
        _ => "other",
    };
}
