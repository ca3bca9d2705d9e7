using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Quality;

/// <summary>Temporal metrics computed frame by frame, so a stitcher can measure a video it never holds whole.</summary>
public sealed class TemporalMetricsAccumulator(WindowPlan plan, int temporalFactor, int pixelFrames)
{
    private readonly SortedSet<int> _boundaries = TemporalMetrics.BoundaryTransitions(plan, temporalFactor, pixelFrames);
    private readonly List<double> _differences = [];
    private readonly double[] _firstColour = new double[3];
    private readonly double[] _lastColour = new double[3];
    private readonly int _tenth = Math.Max(1, pixelFrames / 10);
    private byte[]? _previous;
    private int _frame;
    private long _pixelsPerFrame;

    public void Add(ReadOnlySpan<byte> frame)
    {
        if (_previous is not null)
        {
            _differences.Add(TemporalMetrics.MeanAbsoluteDifference(_previous, frame));
        }
        if (_frame < _tenth)
        {
            TemporalMetrics.AddColour(frame, _firstColour);
        }
        if (_frame >= pixelFrames - _tenth)
        {
            TemporalMetrics.AddColour(frame, _lastColour);
        }
        _pixelsPerFrame = frame.Length / 3;
        if (_previous?.Length != frame.Length)
        {
            _previous = new byte[frame.Length];
        }
        frame.CopyTo(_previous);
        _frame++;
    }

    public TemporalQuality Result()
    {
        double boundarySum = 0, insideSum = 0;
        int boundaryCount = 0, insideCount = 0;
        for (var t = 0; t < _differences.Count; t++)
        {
            if (_boundaries.Contains(t))
            {
                boundarySum += _differences[t];
                boundaryCount++;
            }
            else
            {
                insideSum += _differences[t];
                insideCount++;
            }
        }
        var boundaryMean = boundaryCount > 0 ? boundarySum / boundaryCount : 0;
        var insideMean = insideCount > 0 ? insideSum / insideCount : 0;
        var seamRatio = boundaryCount == 0 ? 1.0 : insideMean > 0 ? boundaryMean / insideMean : double.PositiveInfinity;
        var pixels = (double)_tenth * Math.Max(1, _pixelsPerFrame);
        var drift = Math.Sqrt(Enumerable.Range(0, 3).Sum(c => Math.Pow(_firstColour[c] / pixels - _lastColour[c] / pixels, 2)));
        return new TemporalQuality(_differences.Count > 0 ? _differences.Average() : 0, boundaryMean, insideMean, seamRatio, drift, _differences);
    }
}
