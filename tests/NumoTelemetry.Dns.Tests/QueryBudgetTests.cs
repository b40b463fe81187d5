using Microsoft.Extensions.Time.Testing;

namespace NumoTelemetry.Dns.Tests;

public sealed class QueryBudgetTests
{
    [Fact]
    public async Task WaitAsync_OverBudget_WaitsForTheNextSecond()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T12:00:00.250Z", System.Globalization.CultureInfo.InvariantCulture));
        var budget = new QueryBudget(3, time);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(budget.WaitAsync(default).IsCompletedSuccessfully);
        }

        var fourth = budget.WaitAsync(default).AsTask();
        await Task.Delay(20);
        Assert.False(fourth.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(750));
        await fourth.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
