using System.Globalization;
using Microsoft.Extensions.Options;
using NumoTelemetry.Alerts;
using NumoTelemetry.Internal;

namespace NumoTelemetry.Fraud;

/// <summary>
/// Validates <c>NumoTelemetry:Fraud</c> and <c>NumoTelemetry:Alerts</c> at start-up, beside the core's validator. Each failure names
/// the setting as written in appsettings.json.
/// </summary>
internal sealed class FraudOptionsValidator : IValidateOptions<NumoTelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, NumoTelemetryOptions options)
    {
        var errors = new List<string>();
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var f = options.Fraud;
        if (f.Enabled)
        {
            ValidateFraud(errors, f);
        }

        var a = options.Alerts;
        if (a.Enabled)
        {
            ValidateAlerts(errors, a);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // Long because: a flat list of setting checks, each adding its own NumoTelemetry:Fraud message.
    private static void ValidateFraud(List<string> errors, FraudOptions f)
    {
        Check(errors, f.MaxSubjects is >= 1_000 and <= 100_000_000, "Fraud:MaxSubjects", "must be between 1,000 and 100,000,000", f.MaxSubjects);
        Check(errors, f.MaxStateBytes is >= 16L << 20 and <= 1L << 40, "Fraud:MaxStateBytes", "must be between 16 MiB (16777216) and 1 TiB", f.MaxStateBytes);
        Check(
            errors,
            f.MaxStateBytes >= (long)f.MaxSubjects * TypicalSubjectBytes,
            "Fraud:MaxStateBytes",
            string.Create(CultureInfo.InvariantCulture, $"must hold Fraud:MaxSubjects typical subjects ({TypicalSubjectBytes} bytes each): at least {(long)f.MaxSubjects * TypicalSubjectBytes} for {f.MaxSubjects}; raise it or lower Fraud:MaxSubjects"),
            f.MaxStateBytes);
        Check(errors, f.RiskCacheSize is >= 16 and <= 1 << 24, "Fraud:RiskCacheSize", "must be between 16 and 16,777,216", f.RiskCacheSize);
        Check(errors, f.AnalysisWindow >= TimeSpan.FromSeconds(10) && f.AnalysisWindow <= TimeSpan.FromDays(1), "Fraud:AnalysisWindow", "must be between 10 seconds and 1 day", f.AnalysisWindow);
        Check(errors, f.LongAnalysisWindow == TimeSpan.Zero || (f.LongAnalysisWindow >= f.AnalysisWindow && f.LongAnalysisWindow <= TimeSpan.FromDays(7)), "Fraud:LongAnalysisWindow", "must be 0 (off) or between Fraud:AnalysisWindow and 7 days", f.LongAnalysisWindow);
        Check(errors, f.ScoreHalfLife >= TimeSpan.FromMinutes(1) && f.ScoreHalfLife <= TimeSpan.FromDays(30), "Fraud:ScoreHalfLife", "must be between 1 minute and 30 days", f.ScoreHalfLife);
        Check(errors, f.WatchScore > 0, "Fraud:WatchScore", "must be positive", f.WatchScore);
        Check(errors, f.AlertScore > f.WatchScore, "Fraud:AlertScore", "must be above Fraud:WatchScore", f.AlertScore);
        Check(errors, f.PageScore > f.AlertScore, "Fraud:PageScore", "must be above Fraud:AlertScore", f.PageScore);
        Check(errors, f.MaxEscalation is >= 1 and <= 10, "Fraud:MaxEscalation", "must be between 1 and 10", f.MaxEscalation);
        Check(errors, f.AccountRiskShare is >= 0 and <= 1, "Fraud:AccountRiskShare", "must be between 0 and 1", f.AccountRiskShare);
        Check(errors, f.MinRequestsPerClientEvidence is >= 1 and <= 1000, "Fraud:MinRequestsPerClientEvidence", "must be between 1 and 1,000", f.MinRequestsPerClientEvidence);

        Window(errors, f.Burst.Window, "Fraud:Burst:Window");
        Positive(errors, f.Burst.RequestsPerClient, "Fraud:Burst:RequestsPerClient");
        Positive(errors, f.Burst.MinRequests, "Fraud:Burst:MinRequests");
        Points(errors, f.Burst.Points, "Fraud:Burst:Points");
        Positive(errors, f.Crawling.DistinctPathsPerClient, "Fraud:Crawling:DistinctPathsPerClient");
        Positive(errors, f.Crawling.MinDistinctPaths, "Fraud:Crawling:MinDistinctPaths");
        Positive(errors, f.Crawling.LongWindowDistinctPathsPerClient, "Fraud:Crawling:LongWindowDistinctPathsPerClient");
        Check(errors, f.Crawling.LongWindowMinDistinctPaths >= 0, "Fraud:Crawling:LongWindowMinDistinctPaths", "must be 0 (off) or more", f.Crawling.LongWindowMinDistinctPaths);
        Points(errors, f.Crawling.Points, "Fraud:Crawling:Points");
        Ratio(errors, f.Crawling.DeclaredBotFactor, "Fraud:Crawling:DeclaredBotFactor");
        Positive(errors, f.Scanner.MinDistinctMissingPaths, "Fraud:Scanner:MinDistinctMissingPaths");
        Ratio(errors, f.Scanner.MinErrorRatio, "Fraud:Scanner:MinErrorRatio");
        Check(errors, f.Scanner.LongWindowMinDistinctMissingPaths >= 0, "Fraud:Scanner:LongWindowMinDistinctMissingPaths", "must be 0 (off) or more", f.Scanner.LongWindowMinDistinctMissingPaths);
        Points(errors, f.Scanner.Points, "Fraud:Scanner:Points");
        Window(errors, f.CredentialStuffing.Window, "Fraud:CredentialStuffing:Window");
        Positive(errors, f.CredentialStuffing.MinFailures, "Fraud:CredentialStuffing:MinFailures");
        Positive(errors, f.CredentialStuffing.MinDistinctAccounts, "Fraud:CredentialStuffing:MinDistinctAccounts");
        Ratio(errors, f.CredentialStuffing.MinFailureRatio, "Fraud:CredentialStuffing:MinFailureRatio");
        Points(errors, f.CredentialStuffing.Points, "Fraud:CredentialStuffing:Points");
        Window(errors, f.PasswordSpraying.Window, "Fraud:PasswordSpraying:Window");
        Positive(errors, f.PasswordSpraying.MinDistinctAccounts, "Fraud:PasswordSpraying:MinDistinctAccounts");
        Ratio(errors, f.PasswordSpraying.MinFailureRatio, "Fraud:PasswordSpraying:MinFailureRatio");
        Points(errors, f.PasswordSpraying.Points, "Fraud:PasswordSpraying:Points");
        Window(errors, f.DistributedStuffing.Window, "Fraud:DistributedStuffing:Window");
        Positive(errors, f.DistributedStuffing.MinDistinctIps, "Fraud:DistributedStuffing:MinDistinctIps");
        Positive(errors, f.DistributedStuffing.MinDistinctAccounts, "Fraud:DistributedStuffing:MinDistinctAccounts");
        Ratio(errors, f.DistributedStuffing.MinFailureRatio, "Fraud:DistributedStuffing:MinFailureRatio");
        Points(errors, f.DistributedStuffing.Points, "Fraud:DistributedStuffing:Points");
        Window(errors, f.AccountBruteForce.Window, "Fraud:AccountBruteForce:Window");
        Positive(errors, f.AccountBruteForce.MinFailures, "Fraud:AccountBruteForce:MinFailures");
        Points(errors, f.AccountBruteForce.Points, "Fraud:AccountBruteForce:Points");
        Points(errors, f.AccountTakeover.Points, "Fraud:AccountTakeover:Points");
        Positive(errors, f.AccountTakeover.MinAccountFailures, "Fraud:AccountTakeover:MinAccountFailures");
        Positive(errors, f.AccountTakeover.MinAccountFailedIps, "Fraud:AccountTakeover:MinAccountFailedIps");
        Positive(errors, f.AccountTakeover.MinClientFailedAccounts, "Fraud:AccountTakeover:MinClientFailedAccounts");
        Ratio(errors, f.AccountTakeover.MinClientFailureRatio, "Fraud:AccountTakeover:MinClientFailureRatio");
        Check(errors, f.AccountTakeover.MinTargetedAccountFailures >= 0, "Fraud:AccountTakeover:MinTargetedAccountFailures", "must be 0 (off) or more", f.AccountTakeover.MinTargetedAccountFailures);
        Points(errors, f.AccountTakeover.NewContextPoints, "Fraud:AccountTakeover:NewContextPoints");
        Points(errors, f.AccountTakeover.NewFactorPoints, "Fraud:AccountTakeover:NewFactorPoints");
        Check(errors, f.AccountTakeover.ProfileRetention >= TimeSpan.FromHours(1) && f.AccountTakeover.ProfileRetention <= TimeSpan.FromDays(400), "Fraud:AccountTakeover:ProfileRetention", "must be between 1 hour and 400 days", f.AccountTakeover.ProfileRetention);
        Check(errors, f.ImpossibleTravel.MaxSpeedKmh is >= 100 and <= 20_000, "Fraud:ImpossibleTravel:MaxSpeedKmh", "must be between 100 and 20,000", f.ImpossibleTravel.MaxSpeedKmh);
        Check(errors, f.ImpossibleTravel.MinDistanceKm is >= 0 and <= 20_000, "Fraud:ImpossibleTravel:MinDistanceKm", "must be between 0 and 20,000", f.ImpossibleTravel.MinDistanceKm);
        Points(errors, f.ImpossibleTravel.Points, "Fraud:ImpossibleTravel:Points");
        Window(errors, f.SessionHijack.SessionRetention, "Fraud:SessionHijack:SessionRetention");
        Points(errors, f.SessionHijack.Points, "Fraud:SessionHijack:Points");
        Window(errors, f.AccountsPerDevice.Window, "Fraud:AccountsPerDevice:Window");
        Check(errors, f.AccountsPerDevice.MinAccounts >= 2, "Fraud:AccountsPerDevice:MinAccounts", "must be at least 2", f.AccountsPerDevice.MinAccounts);
        Points(errors, f.AccountsPerDevice.Points, "Fraud:AccountsPerDevice:Points");
        Positive(errors, f.CookieChurn.MinNewVisitors, "Fraud:CookieChurn:MinNewVisitors");
        Ratio(errors, f.CookieChurn.MinRatio, "Fraud:CookieChurn:MinRatio");
        Points(errors, f.CookieChurn.Points, "Fraud:CookieChurn:Points");
        Check(errors, f.RoboticTiming.MinRequests >= 3, "Fraud:RoboticTiming:MinRequests", "must be at least 3", f.RoboticTiming.MinRequests);
        Check(errors, f.RoboticTiming.MaxVariation is > 0 and <= 1, "Fraud:RoboticTiming:MaxVariation", "must be above 0 and at most 1", f.RoboticTiming.MaxVariation);
        Check(errors, f.RoboticTiming.MinMeanGapMs >= 0, "Fraud:RoboticTiming:MinMeanGapMs", "must not be negative", f.RoboticTiming.MinMeanGapMs);
        Points(errors, f.RoboticTiming.Points, "Fraud:RoboticTiming:Points");
        var r = f.RiskFactors;
        Points(errors, r.FakeCrawlerPoints, "Fraud:RiskFactors:FakeCrawlerPoints");
        Points(errors, r.HostingPoints, "Fraud:RiskFactors:HostingPoints");
        Points(errors, r.AnonymousPoints, "Fraud:RiskFactors:AnonymousPoints");
        Points(errors, r.TorPoints, "Fraud:RiskFactors:TorPoints");
        Positive(errors, r.FakeCrawlerMinPaths, "Fraud:RiskFactors:FakeCrawlerMinPaths");
        Points(errors, r.FakeCrawlerCrawlingPoints, "Fraud:RiskFactors:FakeCrawlerCrawlingPoints");
        Points(errors, r.ClientHintsMismatchPoints, "Fraud:RiskFactors:ClientHintsMismatchPoints");
        ValidateNew(errors, f);
    }

    private static void ValidateNew(List<string> errors, FraudOptions f)
    {
        var o = f.OtpPumping;
        Window(errors, o.Window, "Fraud:OtpPumping:Window");
        Positive(errors, o.PrefixMinRequests, "Fraud:OtpPumping:PrefixMinRequests");
        Positive(errors, o.UnusualPrefixMinRequests, "Fraud:OtpPumping:UnusualPrefixMinRequests");
        Positive(errors, o.PrefixMinDistinctNumbers, "Fraud:OtpPumping:PrefixMinDistinctNumbers");
        Check(errors, o.ClientMinDistinctNumbers >= 2, "Fraud:OtpPumping:ClientMinDistinctNumbers", "must be at least 2", o.ClientMinDistinctNumbers);
        Check(errors, o.DeviceMinDistinctNumbers >= 2, "Fraud:OtpPumping:DeviceMinDistinctNumbers", "must be at least 2", o.DeviceMinDistinctNumbers);
        Ratio(errors, o.MaxConversionRatio, "Fraud:OtpPumping:MaxConversionRatio");
        Check(errors, o.DefaultConversion is > 0 and <= 1, "Fraud:OtpPumping:DefaultConversion", "must be above 0 and at most 1", o.DefaultConversion);
        Positive(errors, o.BaselineMinRequests, "Fraud:OtpPumping:BaselineMinRequests");
        Check(errors, o.SequentialMinNumbers >= 2, "Fraud:OtpPumping:SequentialMinNumbers", "must be at least 2", o.SequentialMinNumbers);
        Check(errors, o.SequentialNumbersPerBlock is >= 1 and <= 100, "Fraud:OtpPumping:SequentialNumbersPerBlock", "must be between 1 and 100", o.SequentialNumbersPerBlock);
        Check(errors, o.DestinationHistory >= TimeSpan.FromHours(1) && o.DestinationHistory <= TimeSpan.FromDays(400), "Fraud:OtpPumping:DestinationHistory", "must be between 1 hour and 400 days", o.DestinationHistory);
        Check(errors, o.UnusualDestinationBelow >= 0, "Fraud:OtpPumping:UnusualDestinationBelow", "must be 0 (off) or more", o.UnusualDestinationBelow);
        Check(errors, o.DestinationWarmUpRequests >= 0, "Fraud:OtpPumping:DestinationWarmUpRequests", "must not be negative", o.DestinationWarmUpRequests);
        Points(errors, o.Points, "Fraud:OtpPumping:Points");
        Points(errors, o.SequentialPoints, "Fraud:OtpPumping:SequentialPoints");
        Points(errors, o.NewDestinationPoints, "Fraud:OtpPumping:NewDestinationPoints");

        var s = f.SiteAnomaly;
        Check(errors, s.Window >= TimeSpan.FromMinutes(1) && s.Window <= TimeSpan.FromHours(1), "Fraud:SiteAnomaly:Window", "must be between 1 minute and 1 hour", s.Window);
        Check(errors, s.Grace >= TimeSpan.Zero && s.Grace <= TimeSpan.FromMinutes(30), "Fraud:SiteAnomaly:Grace", "must be between 0 and 30 minutes", s.Grace);
        Check(errors, s.WarmUp >= TimeSpan.Zero && s.WarmUp <= TimeSpan.FromDays(30), "Fraud:SiteAnomaly:WarmUp", "must be between 0 and 30 days", s.WarmUp);
        Check(errors, s.HistoryDays is >= 1 and <= 60, "Fraud:SiteAnomaly:HistoryDays", "must be between 1 and 60", s.HistoryDays);
        Check(errors, s.MinHourHistoryDays >= 1 && s.MinHourHistoryDays <= s.HistoryDays, "Fraud:SiteAnomaly:MinHourHistoryDays", "must be between 1 and Fraud:SiteAnomaly:HistoryDays", s.MinHourHistoryDays);
        Positive(errors, s.MinEvents, "Fraud:SiteAnomaly:MinEvents");
        Check(errors, s.MinFactor is >= 1 and <= 1000, "Fraud:SiteAnomaly:MinFactor", "must be between 1 and 1,000", s.MinFactor);
        Check(errors, s.Deviations is >= 0 and <= 100, "Fraud:SiteAnomaly:Deviations", "must be between 0 and 100", s.Deviations);
        Points(errors, s.Points, "Fraud:SiteAnomaly:Points");

        var u = f.UaRotation;
        Positive(errors, u.MinRequests, "Fraud:UaRotation:MinRequests");
        Ratio(errors, u.MinUserAgentShare, "Fraud:UaRotation:MinUserAgentShare");
        Ratio(errors, u.MinDistinctPathShare, "Fraud:UaRotation:MinDistinctPathShare");
        Ratio(errors, u.MaxCookieShare, "Fraud:UaRotation:MaxCookieShare");
        Points(errors, u.Points, "Fraud:UaRotation:Points");
    }

    private static void ValidateAlerts(List<string> errors, AlertOptions a)
    {
        Check(errors, a.GroupWait >= TimeSpan.Zero && a.GroupWait <= TimeSpan.FromHours(1), "Alerts:GroupWait", "must be between 0 and 1 hour", a.GroupWait);
        Check(errors, a.GroupInterval >= TimeSpan.FromSeconds(1) && a.GroupInterval <= TimeSpan.FromDays(1), "Alerts:GroupInterval", "must be between 1 second and 1 day", a.GroupInterval);
        Check(errors, a.RepeatInterval >= a.GroupInterval && a.RepeatInterval <= TimeSpan.FromDays(30), "Alerts:RepeatInterval", "must be between Alerts:GroupInterval and 30 days", a.RepeatInterval);
        Check(errors, a.MaxGroups is >= 1 and <= 1_000_000, "Alerts:MaxGroups", "must be between 1 and 1,000,000", a.MaxGroups);
        Check(errors, a.MaxNotificationsPerMinute is >= 1 and <= 100_000, "Alerts:MaxNotificationsPerMinute", "must be between 1 and 100,000", a.MaxNotificationsPerMinute);
        var w = a.Webhook;
        if (w.Url is null)
        {
            return;
        }

        Check(errors, w.Url.IsAbsoluteUri && (w.Url.Scheme == Uri.UriSchemeHttps || w.Url.Scheme == Uri.UriSchemeHttp), "Alerts:Webhook:Url", "must be an absolute http or https URL", w.Url);
        Check(errors, StandardWebhookSigner.TryDecodeSecret(w.Secret, out _), "Alerts:Webhook:Secret", "must be set with the Url: \"whsec_\" followed by base64 of 24 to 64 random bytes", w.Secret is null ? null : "(hidden)");
        Check(errors, w.MaxAttempts is >= 1 and <= 20, "Alerts:Webhook:MaxAttempts", "must be between 1 and 20", w.MaxAttempts);
        Check(errors, w.InitialBackoff > TimeSpan.Zero && w.InitialBackoff <= w.MaxBackoff, "Alerts:Webhook:InitialBackoff", "must be positive and at most Alerts:Webhook:MaxBackoff", w.InitialBackoff);
        Check(errors, w.MaxBackoff <= TimeSpan.FromHours(6), "Alerts:Webhook:MaxBackoff", "must be at most 6 hours", w.MaxBackoff);
        Check(errors, w.Timeout > TimeSpan.Zero && w.Timeout <= TimeSpan.FromMinutes(5), "Alerts:Webhook:Timeout", "must be between 0 and 5 minutes", w.Timeout);
        Check(errors, w.QueueSize is >= 1 and <= 1_000_000, "Alerts:Webhook:QueueSize", "must be between 1 and 1,000,000", w.QueueSize);
    }

    private static void Window(List<string> errors, TimeSpan value, string setting) =>
        Check(errors, value >= TimeSpan.FromSeconds(6) && value <= TimeSpan.FromDays(30), setting, "must be between 6 seconds and 30 days", value);

    private static void Positive(List<string> errors, int value, string setting) => Check(errors, value >= 1, setting, "must be at least 1", value);

    private static void Points(List<string> errors, double value, string setting) => Check(errors, value is >= 0 and <= 1000, setting, "must be between 0 and 1000", value);

    private static void Ratio(List<string> errors, double value, string setting) => Check(errors, value is >= 0 and <= 1, setting, "must be between 0 and 1", value);

    // About what a typical subject holds (docs/fraud.md, Memory): a byte bound below MaxSubjects of them would cap the subjects
    // held below MaxSubjects without saying so.
    private const int TypicalSubjectBytes = 256;

    private static void Check(List<string> errors, bool ok, string setting, string rule, object? value) =>
        SettingRule.Check(errors, ok, setting, rule, value);
}
