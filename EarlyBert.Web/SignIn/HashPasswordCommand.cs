namespace EarlyBert.Web.SignIn;

/// <summary>
/// <c>dotnet run --project EarlyBert.Web -- hash-password</c>: reads a password from standard input (one line, so
/// it never shows in <c>ps</c> or the shell history) and prints its hash for <c>Dashboard:Users:NAME:PasswordHash</c>.
/// </summary>
public static class HashPasswordCommand
{
    /// <summary>The command's name, the program's only argument when it is run.</summary>
    public const string Name = "hash-password";

    /// <summary>Hashes the first line of <paramref name="input"/> onto <paramref name="output"/>; 2 and a message on <paramref name="error"/> for an empty one.</summary>
    public static int Run(TextReader input, TextWriter output, TextWriter error)
    {
        var password = input.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("Give the password on standard input, e.g.: read -rs P && printf '%s\\n' \"$P\" | dotnet run --project EarlyBert.Web -- hash-password");
            return 2;
        }
        output.WriteLine(PasswordHashes.Hash(password));
        return 0;
    }
}
