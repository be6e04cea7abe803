using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace EarlyBert.Web.Tests.SignIn;

/// <summary>
/// The real dashboard on Kestrel, listening on <paramref name="listenOn"/> (loopback or every interface) at a free
/// port, with <paramref name="settings"/> as configuration. Requests go to it over loopback TCP with a cookie jar and
/// without following redirects, as a browser's first request would see them.
/// </summary>
internal sealed partial class DashboardApp(IPAddress listenOn, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public CookieContainer Cookies { get; } = new();

    public HttpClient Start()
    {
        UseKestrel(options => options.Listen(listenOn, 0));
        StartServer();
        var bound = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        return new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = Cookies, UseCookies = true })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
            DefaultRequestHeaders = { { "Accept", "text/html" } },
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    /// <summary>The hidden inputs of the sign-in form (anti-forgery token, handler name) as name → value.</summary>
    public static Dictionary<string, string> HiddenFields(string html) =>
        HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups["name"].Value), m => WebUtility.HtmlDecode(m.Groups["value"].Value));

    /// <summary>The sign-in form <paramref name="form"/> filled in and posted to <paramref name="path"/>, as a browser sends it.</summary>
    public static HttpRequestMessage SignInPost(string form, string path, string userName, string password)
    {
        var fields = HiddenFields(form);
        fields[InputName(form, "username")] = userName;
        fields[InputName(form, "password")] = password;
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
    }

    /// <summary>The name attribute of the input marked <c>data-test=<paramref name="test"/></c>.</summary>
    public static string InputName(string html, string test) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"<input[^>]*data-test=\"{test}\"[^>]*>").Value is var input && Regex.Match(input, "name=\"(?<n>[^\"]+)\"") is { Success: true } name
            ? name.Groups["n"].Value : throw new InvalidOperationException($"no input {test} with a name in the sign-in page"));

    [GeneratedRegex("<input[^>]*type=\"hidden\"[^>]*name=\"(?<name>[^\"]+)\"[^>]*value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
