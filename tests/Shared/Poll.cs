using System.Diagnostics;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>Reading something again and again until it says what a test waits for.</summary>
public static class Poll
{
    /// <summary>
    /// Calls <paramref name="read"/> every <paramref name="every"/> until <paramref name="until"/> holds for what it
    /// returned, and returns that. A read that throws an exception <paramref name="transient"/> accepts (a server
    /// restarting) counts as no answer. After <paramref name="timeout"/>: a <see cref="TimeoutException"/> whose message
    /// is <paramref name="describe"/> of the last answer (default when there was none).
    /// </summary>
    /// <param name="polled">Called with every answer, before <paramref name="until"/> is asked.</param>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> read, Func<T, bool> until, TimeSpan timeout, TimeSpan every, Func<T?, string> describe,
        Func<Exception, bool>? transient = null, Func<T, Task>? polled = null)
    {
        var clock = Stopwatch.StartNew();
        T? last = default;
        while (true)
        {
            try
            {
                last = await read();
                if (polled is not null)
                {
                    await polled(last);
                }
                if (until(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (transient?.Invoke(e) is true)
            {
                // no answer this time
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException(describe(last));
            }
            await Task.Delay(every);
        }
    }
}
