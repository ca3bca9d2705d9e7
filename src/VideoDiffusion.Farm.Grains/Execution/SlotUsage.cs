using System.Diagnostics;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>
/// Busy time of one accelerator slot: the total spent inside inference calls, including the call in flight, and a
/// once-a-second history of that total for the last five minutes, from which utilisation over any recent span is the
/// difference of two readings. Thread-safe: the slot thread writes, gauges and the farm view read.
/// </summary>
public sealed class SlotUsage
{
    /// <summary>How much history is kept (one reading per second).</summary>
    public static readonly TimeSpan History = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly (long At, long Busy)[] _ring = new (long, long)[(int)History.TotalSeconds + 2];
    private int _next, _count;
    private long _busyTicks;     // finished calls, in Stopwatch ticks
    private long _callStartedAt; // Stopwatch timestamp of the call in flight, 0 when idle

    public SlotUsage(int slot)
    {
        Slot = slot;
        Sample();
    }

    public int Slot { get; }

    /// <summary>Busy time so far, the call in flight included.</summary>
    public TimeSpan Busy
    {
        get
        {
            lock (_lock)
            {
                return TimeSpan.FromSeconds(BusyTicksAt(Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            }
        }
    }

    public void CallStarted()
    {
        lock (_lock)
        {
            _callStartedAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>Ends the call in flight; returns its length.</summary>
    public TimeSpan CallEnded()
    {
        lock (_lock)
        {
            var elapsed = Stopwatch.GetTimestamp() - _callStartedAt;
            _busyTicks += elapsed;
            _callStartedAt = 0;
            return TimeSpan.FromSeconds(elapsed / (double)Stopwatch.Frequency);
        }
    }

    /// <summary>Records the current total (called once a second).</summary>
    public void Sample()
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            _ring[_next] = (now, BusyTicksAt(now));
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>Busy share of the last <paramref name="span"/> (or of the history held, when shorter), in [0, 1].</summary>
    public double Utilisation(TimeSpan span)
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            var from = Reading(now - (long)(span.TotalSeconds * Stopwatch.Frequency));
            return Ratio(from, (now, BusyTicksAt(now)));
        }
    }

    /// <summary>Utilisation over consecutive spans of <paramref name="step"/> covering the history, oldest first.</summary>
    public IReadOnlyList<double> Series(TimeSpan step)
    {
        lock (_lock)
        {
            var now = Stopwatch.GetTimestamp();
            var stepTicks = (long)(step.TotalSeconds * Stopwatch.Frequency);
            var oldest = _ring[(_next - _count + _ring.Length) % _ring.Length].At;
            var series = new List<double>();
            for (var end = now; end - stepTicks >= oldest && series.Count < (int)(History / step); end -= stepTicks)
            {
                var to = end == now ? (now, BusyTicksAt(now)) : Reading(end);
                series.Add(Ratio(Reading(end - stepTicks), to));
            }
            series.Reverse();
            return series;
        }
    }

    private long BusyTicksAt(long now) => _busyTicks + (_callStartedAt == 0 ? 0 : now - _callStartedAt);

    /// <summary>The latest reading at or before <paramref name="at"/> (the oldest one held when none is).</summary>
    private (long At, long Busy) Reading(long at)
    {
        var best = _ring[(_next - _count + _ring.Length) % _ring.Length];
        for (var i = 0; i < _count; i++)
        {
            var r = _ring[(_next - 1 - i + _ring.Length) % _ring.Length];
            if (r.At <= at)
            {
                return r;
            }
            best = r;
        }
        return best;
    }

    private static double Ratio((long At, long Busy) from, (long At, long Busy) to) =>
        to.At <= from.At ? 0 : Math.Clamp((to.Busy - from.Busy) / (double)(to.At - from.At), 0, 1);
}
