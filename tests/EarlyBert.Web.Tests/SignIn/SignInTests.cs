using System.Net;
using EarlyBert.Web.SignIn;

namespace EarlyBert.Web.Tests.SignIn;

/// <summary>
/// Sign-in as a browser meets it, against the real dashboard on Kestrel: none on loopback; beyond loopback a redirect
/// to <c>/signin</c>, a refused wrong password and a cookie for the right one.
/// </summary>
public sealed class SignInTests
{
    private const string Password = "correct horse battery staple";
    private static readonly string Hash = PasswordHashes.Hash(Password);

    private static Dictionary<string, string?> WithUser() => new() { ["Dashboard:Users:alice:PasswordHash"] = Hash };

    [Fact]
    public async Task On_loopback_pages_are_served_without_sign_in()
    {
        await using var app = new DashboardApp(IPAddress.Loopback, WithUser());
        using var http = app.Start();

        using var page = await http.GetAsync("runs/new");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("New run", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Beyond_loopback_a_page_redirects_to_sign_in_and_other_requests_are_401_while_health_stays_open()
    {
        await using var app = new DashboardApp(IPAddress.Any, WithUser());
        using var http = app.Start();

        using var page = await http.GetAsync("runs/new?clone=x");
        using var data = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "runs/export.csv") { Headers = { { "Accept", "text/csv" } } });
        using var alive = await http.GetAsync("alive");
        using var signIn = await http.GetAsync("signin");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Fruns%2Fnew%3Fclone%3Dx", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
        Assert.Equal("application/problem+json", data.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_right_one_signs_in_and_returns_to_the_page()
    {
        await using var app = new DashboardApp(IPAddress.Any, WithUser());
        using var http = app.Start();
        var form = await (await http.GetAsync("signin?returnUrl=%2Fruns%2Fnew")).Content.ReadAsStringAsync();
        HttpRequestMessage Post(string password) => DashboardApp.SignInPost(form, "signin?returnUrl=%2Fruns%2Fnew", "alice", password);

        using var wrong = await http.SendAsync(Post("Tr0ub4dor&3"));
        var wrongBody = await wrong.Content.ReadAsStringAsync();
        using var stillOut = await http.GetAsync("runs/new");
        using var right = await http.SendAsync(Post(Password));
        using var signedIn = await http.GetAsync("runs/new");

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("Wrong user name or password.", wrongBody);
        Assert.Equal(HttpStatusCode.Redirect, stillOut.StatusCode);
        Assert.True(right.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"{right.StatusCode}: {await right.Content.ReadAsStringAsync()}");
        Assert.Equal("/runs/new", right.Headers.Location!.OriginalString.Replace(http.BaseAddress!.ToString().TrimEnd('/'), "", StringComparison.Ordinal));
        Assert.Contains(app.Cookies.GetCookies(http.BaseAddress!), c => c.Name == "EarlyBert.Dashboard" && c.HttpOnly);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task After_too_many_wrong_passwords_even_the_right_one_is_refused_with_429_until_the_window_passes()
    {
        var settings = WithUser();
        settings["Dashboard:SignInLimits:PerUser"] = "2";
        settings["Dashboard:SignInLimits:Window"] = "00:00:03";
        await using var app = new DashboardApp(IPAddress.Any, settings);
        using var http = app.Start();
        var form = await (await http.GetAsync("signin")).Content.ReadAsStringAsync();
        HttpRequestMessage Post(string password) => DashboardApp.SignInPost(form, "signin", "alice", password);

        using var first = await http.SendAsync(Post("guess 1"));
        using var second = await http.SendAsync(Post("guess 2"));
        using var right = await http.SendAsync(Post(Password));
        var refusal = await right.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.InRange(right.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3);
        Assert.Contains("Too many failed sign-ins. Try again in", refusal);
        Assert.DoesNotContain(app.Cookies.GetCookies(http.BaseAddress!), c => c.Name == "EarlyBert.Dashboard");

        await Task.Delay(right.Headers.RetryAfter.Delta.Value + TimeSpan.FromMilliseconds(200));
        using var later = await http.SendAsync(Post(Password));
        Assert.True(later.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"{later.StatusCode}");
        Assert.Contains(app.Cookies.GetCookies(http.BaseAddress!), c => c.Name == "EarlyBert.Dashboard");
    }

    [Fact]
    public async Task Sign_out_from_a_page_ends_the_session()
    {
        await using var app = new DashboardApp(IPAddress.Any, WithUser());
        using var http = app.Start();
        var form = await (await http.GetAsync("signin")).Content.ReadAsStringAsync();
        var fields = DashboardApp.HiddenFields(form);
        fields[DashboardApp.InputName(form, "username")] = "alice";
        fields[DashboardApp.InputName(form, "password")] = Password;
        (await http.PostAsync("signin", new FormUrlEncodedContent(fields))).Dispose();
        var page = await (await http.GetAsync("runs/new")).Content.ReadAsStringAsync();
        Assert.Contains("data-test=\"signed-in-user\"", page);

        using var signOut = await http.PostAsync("signout", new FormUrlEncodedContent(DashboardApp.HiddenFields(page)));
        using var after = await http.GetAsync("runs/new");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.StartsWith("/signin", signOut.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task A_post_without_the_anti_forgery_token_does_not_sign_in()
    {
        await using var app = new DashboardApp(IPAddress.Any, WithUser());
        using var http = app.Start();
        var form = await (await http.GetAsync("signin")).Content.ReadAsStringAsync();
        var fields = DashboardApp.HiddenFields(form);
        fields.Remove("__RequestVerificationToken");
        fields[DashboardApp.InputName(form, "username")] = "alice";
        fields[DashboardApp.InputName(form, "password")] = Password;

        using var post = await http.PostAsync("signin", new FormUrlEncodedContent(fields));

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.DoesNotContain(app.Cookies.GetCookies(http.BaseAddress!), c => c.Name == "EarlyBert.Dashboard");
    }

    [Fact]
    public void Beyond_loopback_with_nobody_able_to_sign_in_the_dashboard_refuses_to_start()
    {
        using var app = new DashboardApp(IPAddress.Any, new Dictionary<string, string?>());

        var refused = Assert.ThrowsAny<Exception>(() => app.Start());

        Assert.Contains("listens beyond loopback", refused.ToString());
        Assert.Contains("Dashboard:Users:NAME:PasswordHash", refused.ToString());
    }

    [Fact]
    public void A_malformed_password_hash_stops_the_dashboard_at_start()
    {
        using var app = new DashboardApp(IPAddress.Loopback, new Dictionary<string, string?> { ["Dashboard:Users:bob:PasswordHash"] = "hunter2" });

        var refused = Assert.ThrowsAny<Exception>(() => app.Start());

        Assert.Contains("Dashboard:Users:bob:PasswordHash", refused.ToString());
    }
}
