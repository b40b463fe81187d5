using System.Runtime.InteropServices;
using NumoTelemetry.Fraud.State;

namespace NumoTelemetry.Fraud;

/// <summary>One detector firing on one subject.</summary>
[StructLayout(LayoutKind.Auto)]
internal struct DetectorHit
{
    public SubjectKey Subject;
    public string Reason;
    public double Points;

    /// <summary>A verdict can open an alert; a risk factor only adds to the score.</summary>
    public bool Verdict;
    public DateTimeOffset At;
    public Evidence Evidence;

    /// <summary>The mode of the detector that reported it (<see cref="Feedback.DetectorMode.Enforce"/> unless configured otherwise).</summary>
    public Feedback.DetectorMode Mode;
}
