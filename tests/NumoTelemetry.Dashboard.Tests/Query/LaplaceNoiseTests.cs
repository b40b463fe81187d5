using NumoTelemetry.Dashboard.Query;

namespace NumoTelemetry.Dashboard.Tests.Query;

public sealed class LaplaceNoiseTests
{
    [Fact]
    public void Apply_Disabled_ReturnsTheCount()
    {
        var noise = new LaplaceNoise(null, 1);

        Assert.False(noise.Enabled);
        Assert.Equal(42, noise.Apply(42, "x"));
    }

    [Fact]
    public void Apply_SameIdentity_GivesTheSameAnswer()
    {
        var noise = new LaplaceNoise(0.5, 1);

        Assert.Equal(noise.Apply(1000, "top|country|DE"), noise.Apply(1000, "top|country|DE"));
    }

    [Fact]
    public void Sample_ManyIdentities_HasLaplaceMeanAndVariance()
    {
        var noise = new LaplaceNoise(0.5, 1); // scale b = 2: mean 0, variance 2b² = 8
        const int n = 40_000;
        double sum = 0, squares = 0;
        for (var i = 0; i < n; i++)
        {
            var x = noise.Sample("id" + i);
            sum += x;
            squares += x * x;
        }

        var mean = sum / n;
        var variance = (squares / n) - (mean * mean);
        Assert.InRange(mean, -0.1, 0.1);
        Assert.InRange(variance, 7.2, 8.8);
    }

    [Fact]
    public void Apply_SmallCount_NeverGoesNegative()
    {
        var noise = new LaplaceNoise(0.1, 1);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(noise.Apply(0, "z" + i) >= 0);
        }
    }
}
