using Microsoft.Extensions.Logging;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>Calls another grain, retrying while its silo is lost or being replaced (the retry re-activates it elsewhere).</summary>
public static class GrainRetry
{
    /// <summary>Retries with a growing pause, for about four minutes; gives up with the last error.</summary>
    public static async Task CallAsync(ILogger logger, string caller, string target, Func<Task> call, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                await call();
                return;
            }
            // a call Orleans cancels itself (a grain directory partition moving while silos join or leave) is retried;
            // only the caller's own cancellation ends the calls
            catch (Exception e) when ((e is not OperationCanceledException || !cancellation.IsCancellationRequested) && attempt < 120)
            {
                logger.LogWarning("{Caller}: call to {Target} failed ({Error}); retrying", caller, target, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 * attempt)), cancellation);
            }
        }
    }
}
