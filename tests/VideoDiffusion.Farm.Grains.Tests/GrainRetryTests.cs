using Microsoft.Extensions.Logging.Abstractions;
using VideoDiffusion.Farm.Grains.Windows;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Grain calls between windows: what is retried and what ends the calls.</summary>
public sealed class GrainRetryTests
{
    [Fact]
    public async Task ACallThatOrleansCancelsIsRetried()
    {
        var calls = 0;
        await GrainRetry.CallAsync(NullLogger.Instance, "window a", "window b", () =>
            ++calls == 1 ? throw new OperationCanceledException("a directory partition moved") : Task.CompletedTask, CancellationToken.None);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task TheCallersOwnCancellationEndsTheCalls()
    {
        using var cancel = new CancellationTokenSource();
        var calls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => GrainRetry.CallAsync(NullLogger.Instance, "window a", "window b", () =>
        {
            calls++;
            cancel.Cancel();
            throw new OperationCanceledException(cancel.Token);
        }, cancel.Token));
        Assert.Equal(1, calls);
    }
}
