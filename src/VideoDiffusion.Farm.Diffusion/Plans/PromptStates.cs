using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Text;

namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// A job's text conditioning, encoded once: the states of each distinct storyboard prompt, which prompt each segment
/// uses, and the unconditional (empty prompt) states guidance contrasts with.
/// </summary>
public sealed record PromptStates(IReadOnlyList<TextConditioning> Prompts, IReadOnlyList<int> SegmentPrompts, TextConditioning Unconditional)
{
    /// <summary>Encodes each distinct prompt of the storyboard, and the empty prompt, exactly once.</summary>
    public static PromptStates Encode(Storyboard storyboard, Func<string, TextConditioning> encode)
    {
        var distinct = storyboard.Segments.Select(s => s.Prompt).Distinct().ToList();
        var prompts = distinct.Select(encode).ToList();
        var segments = storyboard.Segments.Select(s => distinct.IndexOf(s.Prompt)).ToList();
        return new PromptStates(prompts, segments, encode(""));
    }

    /// <summary>The frame-weighted mix of the prompts covering the given absolute latent frames.</summary>
    public TextConditioning ForFrames(IEnumerable<int> frames, Storyboard storyboard, int temporalFactor, double fps)
    {
        var counts = new SortedDictionary<int, int>();
        var total = 0;
        foreach (var f in frames)
        {
            var segment = storyboard.SegmentOfLatentFrame(f, temporalFactor, fps);
            counts[segment] = counts.GetValueOrDefault(segment) + 1;
            total++;
        }
        return TextConditioning.Mix(counts.Select(kv => (Prompts[SegmentPrompts[kv.Key]], (float)kv.Value / total)).ToList());
    }
}
