using System.Diagnostics;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Cli.Terminal;

/// <summary>A live progress bar on a terminal; plain lines (every 10 %) when output is redirected.</summary>
public sealed class ProgressDisplay(TextWriter output, bool interactive) : IProgress<RenderProgress>
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastDecile = -1;
    private long _lastDraw;

    public static ProgressDisplay ForConsole() => new(Console.Error, !Console.IsErrorRedirected);

    public void Report(RenderProgress value)
    {
        var fraction = value.Fraction;
        var elapsed = _clock.Elapsed.TotalSeconds;
        var eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
        if (interactive)
        {
            var now = _clock.ElapsedMilliseconds;
            if (now - _lastDraw < 100 && value.WindowStepsDone < value.WindowStepsTotal)
            {
                return;
            }
            _lastDraw = now;
            const int width = 30;
            var filled = (int)(fraction * width);
            output.Write($"\r{value.Phase,-9} [{new string('#', filled)}{new string('.', width - filled)}] {fraction,4:P0} " +
                         $"{value.WindowStepsDone}/{value.WindowStepsTotal} window-steps  {elapsed:F0}s elapsed, ~{eta:F0}s left ");
            if (value.WindowStepsDone >= value.WindowStepsTotal)
            {
                output.WriteLine();
            }
        }
        else
        {
            var decile = (int)(fraction * 10);
            if (decile != _lastDecile)
            {
                _lastDecile = decile;
                output.WriteLine($"progress {fraction:P0} ({value.Phase}, {value.WindowStepsDone}/{value.WindowStepsTotal} window-steps, {elapsed:F1}s elapsed)");
            }
        }
    }

    public void Line(string text)
    {
        output.WriteLine(text);
    }
}
