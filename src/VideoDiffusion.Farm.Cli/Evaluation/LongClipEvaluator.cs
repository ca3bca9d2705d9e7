using VideoDiffusion.Farm.Cli.Rendering;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Rendering;

namespace VideoDiffusion.Farm.Cli.Evaluation;

/// <summary>A long-video route the evaluation renders every prompt with: a strategy and its keyframe anchoring, at the defaults otherwise.</summary>
public sealed record LongClipRoute(string Name, RenderStrategy Strategy, KeyframeAnchors Anchors)
{
    public static readonly IReadOnlyList<LongClipRoute> All =
    [
        new("co-denoise", RenderStrategy.CoDenoise, KeyframeAnchors.Auto),
        new("co-denoise-plain", RenderStrategy.CoDenoise, KeyframeAnchors.None),
        new("keyframes", RenderStrategy.Keyframes, KeyframeAnchors.Auto),
        new("autoregressive", RenderStrategy.Autoregressive, KeyframeAnchors.Auto),
    ];

    public static LongClipRoute Parse(string name) => All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"unknown route '{name}' ({string.Join(", ", All.Select(r => r.Name))})");
}

/// <summary>One long clip's scores (fractions in [0, 1]).</summary>
/// <param name="WorldKept">Frames that keep their world (<see cref="WorldKeeping"/>).</param>
/// <param name="SubjectPresent">Frames that show the subject's colour.</param>
/// <param name="SubjectsPerFrame">Shapes of the subject's colour per frame that shows any.</param>
public sealed record LongClipScore(string Route, string Prompt, ulong Seed, double WorldKept, double SubjectPresent, double SubjectsPerFrame, double SeamRatio, double ColourDrift);

/// <summary>The scores of one route over the grid.</summary>
public sealed record LongClipSummary(string Route, int Clips, double WorldKeptMean, double WorldKeptMin, int ClipsKeepingWorld, double SubjectPresentMean,
    double SubjectsPerFrameMean, double SeamRatioMedian, double SeamRatioWorst, double ColourDriftMean);

/// <summary>
/// Renders every prompt of a prompt set as a long clip with the reference engine, for each route, at the defaults a
/// user gets (window, overlap, steps, guidance, first frame), and scores the decoded frames: world kept, subject
/// present, subjects per frame, seam ratio, colour drift.
/// </summary>
public sealed class LongClipEvaluator(DiffusionModel model, EvalSet set, double seconds)
{
    /// <summary>Clips in which at least this share of frames keep their world count as keeping it.</summary>
    public const double ClipKeepsWorld = 0.95;

    public LongClipScore Score(LongClipRoute route, int index, CancellationToken cancellation = default)
    {
        var prompt = set.Prompts[index];
        var seed = set.SeedBase + (ulong)index;
        var spec = RenderJobSpec.Resolve(new RenderRequest
        {
            Prompt = prompt.Prompt,
            Seconds = seconds,
            Seed = seed,
            Strategy = route.Strategy,
            Anchors = route.Anchors,
        }, model.Manifest);
        var clip = new ReferenceClipRenderer(model).Render(spec, null, cancellation);
        var scorer = set.Scorer();
        var video = clip.Video;
        int framesWithSubject = 0, subjects = 0;
        for (var t = 0; t < video.Frames; t++)
        {
            var count = scorer.SubjectCount(video, t, prompt.Colour);
            framesWithSubject += count > 0 ? 1 : 0;
            subjects += count;
        }
        return new LongClipScore(route.Name, prompt.Prompt, seed, WorldKeeping.KeptFrames(video, set.OnWorldColours(prompt)),
            scorer.ColourPresence(video, prompt.Colour), framesWithSubject == 0 ? 0 : (double)subjects / framesWithSubject,
            clip.Quality.SeamRatio, clip.Quality.ColourDrift);
    }

    public static LongClipSummary Summarise(string route, IReadOnlyList<LongClipScore> scores)
    {
        var seams = scores.Select(s => s.SeamRatio).Order().ToList();
        var median = seams.Count == 0 ? 0 : seams.Count % 2 == 1 ? seams[seams.Count / 2] : (seams[seams.Count / 2 - 1] + seams[seams.Count / 2]) / 2;
        return new LongClipSummary(route, scores.Count, scores.Average(s => s.WorldKept), scores.Min(s => s.WorldKept),
            scores.Count(s => s.WorldKept >= ClipKeepsWorld), scores.Average(s => s.SubjectPresent), scores.Average(s => s.SubjectsPerFrame),
            median, seams.LastOrDefault(), scores.Average(s => s.ColourDrift));
    }
}
