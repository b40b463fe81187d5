using System.Buffers.Text;
using System.Security.Cryptography;

namespace NumoTelemetry.Dashboard.Workspace;

/// <summary>Random opaque ids for workspace records (prefix and 20 base64url characters).</summary>
internal static class WorkspaceIds
{
    public static string New(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(15));
}
