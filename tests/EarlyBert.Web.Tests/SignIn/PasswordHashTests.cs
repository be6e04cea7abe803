using EarlyBert.Web.SignIn;
using Microsoft.AspNetCore.Identity;

namespace EarlyBert.Web.Tests.SignIn;

public sealed class PasswordHashTests
{
    [Fact]
    public void A_hash_verifies_its_password_and_no_other_and_is_salted()
    {
        var hash = PasswordHashes.Hash("s3cret pass");

        Assert.True(PasswordHashes.IsWellFormed(hash));
        Assert.True(PasswordHashes.Verify(hash, "s3cret pass"));
        Assert.False(PasswordHashes.Verify(hash, "s3cret pasS"));
        Assert.NotEqual(hash, PasswordHashes.Hash("s3cret pass"));
        Assert.DoesNotContain("s3cret", hash);
    }

    [Fact]
    public void The_format_is_identity_v3_pbkdf2_sha512_so_identity_verifies_it_too()
    {
        var hash = PasswordHashes.Hash("pw");
        var bytes = Convert.FromBase64String(hash);

        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(2u, ReadUInt32(bytes, 1)); // KeyDerivationPrf.HMACSHA512
        Assert.Equal(100_000u, ReadUInt32(bytes, 5));
        Assert.Equal(16u, ReadUInt32(bytes, 9));
        Assert.Equal(13 + 16 + 32, bytes.Length);
        Assert.Equal(PasswordVerificationResult.Success, new PasswordHasher<object>().VerifyHashedPassword(new object(), hash, "pw"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hunter2")]
    [InlineData("AQAAAAIAAYagAAAAEA==")]
    public void A_malformed_hash_matches_no_password(string? hash)
    {
        Assert.False(PasswordHashes.IsWellFormed(hash));
        Assert.False(PasswordHashes.Verify(hash, "hunter2"));
    }

    [Fact]
    public void Hash_password_reads_the_password_from_standard_input_and_prints_a_hash_that_verifies()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = HashPasswordCommand.Run(new StringReader("pa ss\n"), output, error);

        Assert.Equal(0, exitCode);
        Assert.Equal("", error.ToString());
        Assert.True(PasswordHashes.Verify(output.ToString().Trim(), "pa ss"));
    }

    [Fact]
    public void Hash_password_without_input_exits_2_with_how_to_give_it()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(2, HashPasswordCommand.Run(new StringReader(""), output, error));
        Assert.Equal("", output.ToString());
        Assert.Contains("standard input", error.ToString());
    }

    [Theory]
    [InlineData("http://localhost:5100", true)]
    [InlineData("http://127.0.0.1:5100", true)]
    [InlineData("http://[::1]:5100", true)]
    [InlineData("https://127.0.0.2:443", true)]
    [InlineData("http://0.0.0.0:8080", false)]
    [InlineData("http://[::]:8080", false)]
    [InlineData("http://+:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://192.168.1.20:5100", false)]
    [InlineData("http://dashboard.example.com:80", false)]
    public void Loopback_addresses_are_told_apart_from_the_rest(string address, bool loopback) =>
        Assert.Equal(loopback, ListenAddresses.IsLoopback(address));

    private static uint ReadUInt32(byte[] bytes, int offset) =>
        (uint)(bytes[offset] << 24 | bytes[offset + 1] << 16 | bytes[offset + 2] << 8 | bytes[offset + 3]);
}
