using System.Text;
using EarlyBert.Training.Data.Email;

namespace EarlyBert.Training.Tests.Data;

public sealed class MimeTextTests
{
    [Fact]
    public void Headers_are_dropped_including_folded_ones_and_whitespace_collapses()
    {
        const string email = "From someone  Thu Aug 22 12:36:23 2002\nSubject: a long\n  folded subject\nTo: x@y\n\nHello   there,\n\n  second\tparagraph.\n";
        Assert.Equal("Hello there, second paragraph.", MimeText.BodyText(email));
    }

    [Fact]
    public void Crlf_line_ends_are_read_like_lf()
    {
        Assert.Equal("Body line", MimeText.BodyText("Subject: x\r\n\r\nBody\r\nline\r\n"));
    }

    [Fact]
    public void Quoted_printable_decodes_escapes_soft_breaks_and_charset()
    {
        const string email = "Content-Type: text/plain; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: quoted-printable\n\n" +
            "Caf=E9 cr=E8me, soft=\nly broken =3D equal sign=20\n";
        Assert.Equal("Café crème, softly broken = equal sign", MimeText.BodyText(email));
    }

    [Fact]
    public void Quoted_printable_utf8_bytes_join_into_one_character()
    {
        const string email = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: Quoted-Printable\n\n=E2=82=AC 5\n";
        Assert.Equal("€ 5", MimeText.BodyText(email));
    }

    [Fact]
    public void Base64_text_decodes_with_its_charset()
    {
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("Grüße aus Köln"), Base64FormattingOptions.InsertLineBreaks);
        var email = $"Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n{body}\n";
        Assert.Equal("Grüße aus Köln", MimeText.BodyText(email));
    }

    [Fact]
    public void Windows_1252_comes_from_the_inbox_code_page_provider()
    {
        const string email = "Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n=93quoted=94 =80\n";
        Assert.Equal("\u201Cquoted\u201D \u20AC", MimeText.BodyText(email));
    }

    [Fact]
    public void Unknown_charset_falls_back_to_utf8_then_windows_1252()
    {
        const string utf8 = "Content-Type: text/plain; charset=x-made-up\nContent-Transfer-Encoding: quoted-printable\n\nna=C3=AFve\n";
        const string latin = "Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: quoted-printable\n\nna=EFve\n";
        Assert.Equal("naïve", MimeText.BodyText(utf8));
        Assert.Equal("naïve", MimeText.BodyText(latin));
    }

    [Fact]
    public void Html_loses_tags_scripts_styles_and_comments_and_decodes_entities()
    {
        const string email = "Content-Type: text/html\n\n<html><head><style>p { color: red; }</style><script>alert('x')</script></head>" +
            "<body><!-- hidden --><p>Fish &amp; chips&nbsp;for &#163;5</p><br/><div><b>F</b>ree <a href=\"x\">offer</a></div></body></html>\n";
        Assert.Equal("Fish & chips for £5 Free offer", MimeText.BodyText(email));
    }

    [Fact]
    public void Alternative_prefers_plain_text_over_html()
    {
        const string email = "Content-Type: multipart/alternative; boundary=\"b1\"\n\npreamble\n--b1\nContent-Type: text/html\n\n<p>html version</p>\n" +
            "--b1\nContent-Type: text/plain\n\nplain version\n--b1--\nepilogue\n";
        Assert.Equal("plain version", MimeText.BodyText(email));
    }

    [Fact]
    public void Alternative_without_plain_text_takes_the_html()
    {
        const string email = "Content-Type: multipart/alternative; boundary=b1\n\n--b1\nContent-Type: text/plain\n\n   \n" +
            "--b1\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<p>only =\nhtml</p>\n--b1--\n";
        Assert.Equal("only html", MimeText.BodyText(email));
    }

    [Fact]
    public void Mixed_keeps_text_parts_in_order_and_skips_attachments_and_nested_boundaries_apart()
    {
        var attachment = Convert.ToBase64String(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 });
        var email = "Content-Type: multipart/mixed; boundary=\"outer\"\n\n--outer\n" +
            "Content-Type: multipart/alternative; boundary=\"outer-inner\"\n\n--outer-inner\nContent-Type: text/plain\n\nfirst\n" +
            "--outer-inner\nContent-Type: text/html\n\n<b>first html</b>\n--outer-inner--\n" +
            $"--outer\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\n{attachment}\n" +
            "--outer\nContent-Type: message/rfc822\n\nSubject: forwarded\n\nsecond\n--outer--\n";
        Assert.Equal("first second", MimeText.BodyText(email));
    }

    [Fact]
    public void Plain_part_holding_an_html_page_is_stripped_too()
    {
        Assert.Equal("Buy now", MimeText.BodyText("Subject: x\n\n<html><body><p>Buy <i>now</i></p></body></html>\n"));
    }

    [Fact]
    public void Multipart_without_its_boundary_reads_as_plain_text()
    {
        Assert.Equal("just text", MimeText.BodyText("Content-Type: multipart/mixed; boundary=zzz\n\njust text\n"));
    }

    [Fact]
    public void Broken_base64_decodes_as_far_as_it_goes()
    {
        var good = Convert.ToBase64String(Encoding.ASCII.GetBytes("hello world"));
        Assert.Equal("hello world", Encoding.ASCII.GetString(TransferEncoding.Base64($"{good[..8]}\n!!{good[8..]}")));
    }
}
