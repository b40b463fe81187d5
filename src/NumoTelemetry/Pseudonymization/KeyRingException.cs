namespace NumoTelemetry.Pseudonymization;

/// <summary>The pseudonymisation key settings are missing or invalid.</summary>
public sealed class KeyRingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyRingException()
    {
    }

    /// <summary>Creates the exception with a message naming the setting to fix.</summary>
    public KeyRingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public KeyRingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
