using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Text conditioning for a set of latent frames, from the storyboard; each prompt is encoded once.</summary>
public sealed class ConditioningPlanner
{
    private readonly RenderJobSpec _spec;
    private readonly int _temporalFactor;
    private readonly TextConditioning[] _segments;

    public ConditioningPlanner(RenderJobSpec spec, ModelManifest manifest, Func<string, TextConditioning> encode)
    {
        _spec = spec;
        _temporalFactor = manifest.Latent.TemporalFactor;
        var cache = new Dictionary<string, TextConditioning>();
        _segments = spec.Storyboard.Segments
            .Select(s => cache.TryGetValue(s.Prompt, out var c) ? c : cache[s.Prompt] = encode(s.Prompt))
            .ToArray();
        Unconditional = encode("");
    }

    public TextConditioning Unconditional { get; }

    /// <summary>The frame-weighted mix of the prompts covering the given absolute latent frames.</summary>
    public TextConditioning ForFrames(IEnumerable<int> frames)
    {
        var counts = new SortedDictionary<int, int>();
        var total = 0;
        foreach (var f in frames)
        {
            var s = _spec.Storyboard.SegmentOfLatentFrame(f, _temporalFactor, _spec.Fps);
            counts[s] = counts.GetValueOrDefault(s) + 1;
            total++;
        }
        return TextConditioning.Mix(counts.Select(kv => (_segments[kv.Key], (float)kv.Value / total)).ToList());
    }

    public TextConditioning ForRange(int start, int length) => ForFrames(Enumerable.Range(start, length));
}
