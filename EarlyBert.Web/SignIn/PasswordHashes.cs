using Microsoft.AspNetCore.Identity;

namespace EarlyBert.Web.SignIn;

/// <summary>
/// Password hashes of dashboard users, in ASP.NET Core Identity's v3 format (<see cref="PasswordHasher{TUser}"/>):
/// base64 of a 0x01 format byte, then the PRF (HMAC-SHA512), the iteration count (100,000), the salt length, a
/// 128-bit random salt and a 256-bit PBKDF2 subkey. So a hash can also be made, or checked, by any Identity tool.
/// </summary>
public static class PasswordHashes
{
    private static readonly PasswordHasher<DashboardUser> Hasher = new();

    // Checked against when the user name is unknown, so that a wrong name takes as long as a wrong password.
    private static readonly string Decoy = Hasher.HashPassword(new DashboardUser(), Guid.NewGuid().ToString());

    /// <summary>A new hash of <paramref name="password"/> (a fresh salt each time).</summary>
    public static string Hash(string password) => Hasher.HashPassword(new DashboardUser(), password);

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>; a malformed hash matches nothing.</summary>
    public static bool Verify(string? hash, string password)
    {
        if (!IsWellFormed(hash))
        {
            Hasher.VerifyHashedPassword(new DashboardUser(), Decoy, password);
            return false;
        }
        return Hasher.VerifyHashedPassword(new DashboardUser(), hash!, password) != PasswordVerificationResult.Failed;
    }

    /// <summary>Whether <paramref name="hash"/> has the v3 format: base64 with the 0x01 marker and room for salt and subkey.</summary>
    public static bool IsWellFormed(string? hash)
    {
        if (string.IsNullOrWhiteSpace(hash)) return false;
        var bytes = new byte[hash.Length];
        return Convert.TryFromBase64String(hash, bytes, out var length) && length >= 13 + 16 + 32 && bytes[0] == 0x01;
    }
}
