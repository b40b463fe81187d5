using NumoTelemetry.Dashboard.Http;

namespace NumoTelemetry.Dashboard.Tests.Http;

/// <summary>The CSV formula guard (OWASP CSV injection): for comma and semicolon locales.</summary>
public sealed class CsvWriterTests
{
    [Theory]
    [InlineData("=1+1", "\"'=1+1\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("-1", "\"'-1\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\tcmd", "\"'\tcmd\"")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    public void Field_FormulaOrDelimiter_IsDefusedAndQuoted(string value, string expected)
    {
        Assert.Equal(expected, CsvWriter.Field(value));
    }

    [Theory]
    [InlineData("x;=cmd|' /C calc'!A0")]
    [InlineData("x; =cmd|' /C calc'!A0")]
    [InlineData("x,=cmd|' /C calc'!A0")]
    [InlineData("x;+1")]
    [InlineData("x;@SUM(A1)")]
    [InlineData("x\t=cmd")]
    public void Field_FormulaAfterAnySpreadsheetDelimiter_IsQuotedAndStartsWithApostrophe(string value)
    {
        var field = CsvWriter.Field(value);

        // Quoted, so a semicolon locale does not split it; and prefixed, so a reader that ignores quotes sees text.
        Assert.StartsWith("\"'", field, StringComparison.Ordinal);
        Assert.EndsWith("\"", field, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" =cmd|' /C calc'!A0")]
    [InlineData("  +1")]
    public void Field_FormulaAfterLeadingSpaces_StartsWithApostrophe(string value)
    {
        // Spaces are skipped before a formula after a delimiter, and a reader that trims spaces (LibreOffice's "Trim
        // spaces" with "Evaluate formulas") does the same at the start of a field.
        var field = CsvWriter.Field(value);
        Assert.True(field.StartsWith('\'') || field.StartsWith("\"'", StringComparison.Ordinal), field);
    }

    [Fact]
    public void Field_SemicolonWithoutFormula_IsQuoted()
    {
        Assert.Equal("\"a;b\"", CsvWriter.Field("a;b"));
    }
}
