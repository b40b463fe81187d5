using System.Net;
using NumoTelemetry.Records;

namespace NumoTelemetry.Sample;

/// <summary>
/// Phone verification by a one-time code, guarded against SMS pumping: the site reports the code request with the number
/// (pseudonymised on entry), then asks for the request's risk — which includes the number prefix's — before paying for the SMS.
/// </summary>
internal static class SampleOtp
{
    /// <summary>The demo's code (a real site sends a random one through its SMS provider).</summary>
    private const string DemoCode = "246810";

    public static void Map(WebApplication app)
    {
        app.MapGet("/verify-phone", () => Page("Verify your phone", SendForm(null)));
        app.MapPost("/verify-phone", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            var phone = form["phone"].ToString();

            // 1. Report the request first: the number is pseudonymised and its prefix's risk joins the request's.
            context.NumoSignals().OtpRequested(phone);

            // 2. The cheapest moment to stop pumping is before the SMS is paid for. The answer is the same either way, so an attacker
            //    cannot tell which prefixes are refused.
            if (context.GetNumoRisk().Band < RiskBand.Alert)
            {
                SendSms(phone, DemoCode);
            }

            return Page("Enter your code", "<p>If the number can receive text messages, a code is on its way.</p>" + CodeForm(phone, null));
        }).DisableAntiforgery();
        app.MapPost("/verify-phone/code", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            var phone = form["phone"].ToString();
            if (form["code"].ToString() == DemoCode)
            {
                context.NumoSignals().OtpVerified(phone);
                return Page("Phone verified", "<p>Thank you.</p>");
            }

            return Results.Content(Html("Enter your code", CodeForm(phone, "That code is not right.")), "text/html", statusCode: StatusCodes.Status400BadRequest);
        }).DisableAntiforgery();
    }

    /// <summary>Stands in for the SMS provider (the demo sends nothing; its code is fixed).</summary>
    private static void SendSms(string phone, string code) => _ = (phone, code);

    private static IResult Page(string title, string body) => Results.Content(Html(title, body), "text/html");

    private static string Html(string title, string body) =>
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head><body><h1>{WebUtility.HtmlEncode(title)}</h1>{body}</body></html>";

    private static string SendForm(string? error) =>
        (error is null ? string.Empty : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>") +
        "<form method=\"post\" action=\"/verify-phone\"><label>Mobile number <input name=\"phone\" type=\"tel\" autocomplete=\"tel\"></label> <button>Send code</button></form>";

    private static string CodeForm(string phone, string? error) =>
        (error is null ? string.Empty : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>") +
        $"<form method=\"post\" action=\"/verify-phone/code\"><input type=\"hidden\" name=\"phone\" value=\"{WebUtility.HtmlEncode(phone)}\"><label>Code <input name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\"></label> <button>Verify</button></form>";
}
