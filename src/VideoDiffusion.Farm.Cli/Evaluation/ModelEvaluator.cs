using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Quality;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Media.Frames;

namespace VideoDiffusion.Farm.Cli.Evaluation;

/// <summary>Scores of a model on an evaluation set (fractions in [0, 1]).</summary>
/// <remarks>
/// <see cref="SubjectsPerFrame"/> and <see cref="SingleSubjectFrames"/> count the shapes of the prompt's colour over
/// the frames that show it (<see cref="PaletteScorer.SubjectCount"/>); the rendered world itself measures about 1.2 and
/// 80 %, because a white subject also matches stars and a yellow one the ship's door.
/// </remarks>
public sealed record ModelScores(int Prompts, double BackgroundRight, double ColourPresence, int MovingPrompts, double DirectionRight, int ContextCases, double ContextKept,
    double SubjectsPerFrame, double SingleSubjectFrames);

/// <summary>Renders an evaluation set with the exported ONNX files and scores it by colour (the figures of docs/models/moonwalk-tiny.md).</summary>
public sealed class ModelEvaluator(DiffusionModel model, EvalSet set, float? guidance = null, float? guidanceFocus = null)
{
    public const int ClipFrames = 16;
    public const int Steps = 20;

    public ModelScores Evaluate(Action<string>? log = null)
    {
        var scorer = set.Scorer();
        int backgroundRight = 0, moving = 0, directionRight = 0, framesWithSubject = 0, subjects = 0, singleSubject = 0;
        double colour = 0;
        for (var i = 0; i < set.Prompts.Count; i++)
        {
            var p = set.Prompts[i];
            var plan = NewPlan(p.Prompt, set.SeedBase + (ulong)i);
            var video = Denoise(plan, FirstWindow(plan));
            var background = scorer.Background(video);
            var presence = scorer.ColourPresence(video, p.Colour);
            backgroundRight += background == p.Background ? 1 : 0;
            colour += presence;
            for (var t = 0; t < video.Frames; t++)
            {
                var count = scorer.SubjectCount(video, t, p.Colour);
                framesWithSubject += count > 0 ? 1 : 0;
                subjects += count;
                singleSubject += count == 1 ? 1 : 0;
            }
            var direction = 0;
            if (p.Moving)
            {
                moving++;
                direction = scorer.Direction(video, p.Colour);
                directionRight += direction == p.Direction ? 1 : 0;
            }
            log?.Invoke($"[{i + 1}/{set.Prompts.Count}] {p.Prompt}: background {background}, colour {presence:P0}" + (p.Moving ? $", direction {direction} (want {p.Direction})" : ""));
        }

        var kept = 0;
        var latents = set.Context.Count == 0 ? null : ReadLatents();
        for (var i = 0; i < set.Context.Count; i++)
        {
            var c = set.Context[i];
            var plan = NewPlan(c.Prompt, (ulong)(5000 + i));
            var window = FirstWindow(plan);
            for (var f = 0; f < c.Frames; f++)
            {
                window.SetContextFrame(f, latents!.Frame(c.Offset + f));
            }
            var video = Denoise(plan, window);
            var presence = scorer.ColourPresence(video, c.Colour, c.Frames);
            var direction = c.Moving ? scorer.Direction(video, c.Colour, c.Frames) : c.Direction;
            var ok = presence >= 0.75 && direction == c.Direction;
            kept += ok ? 1 : 0;
            log?.Invoke($"[context {i + 1}/{set.Context.Count}] {c.Prompt}: colour {presence:P0}" + (c.Moving ? $", direction {direction} (want {c.Direction})" : "") + (ok ? " kept" : " LOST"));
        }
        return new ModelScores(set.Prompts.Count, (double)backgroundRight / set.Prompts.Count, colour / set.Prompts.Count,
            moving, moving == 0 ? 1 : (double)directionRight / moving, set.Context.Count, set.Context.Count == 0 ? 1 : (double)kept / set.Context.Count,
            framesWithSubject == 0 ? 0 : (double)subjects / framesWithSubject, framesWithSubject == 0 ? 0 : (double)singleSubject / framesWithSubject);
    }

    private JobPlan NewPlan(string prompt, ulong seed)
    {
        var fps = model.Manifest.Video.Fps;
        var spec = RenderJobSpec.Resolve(new RenderRequest
        {
            Prompt = prompt,
            Seconds = (double)ClipFrames * model.Manifest.Latent.TemporalFactor / fps,
            Steps = Steps,
            Seed = seed,
            Window = ClipFrames,
            Overlap = 0,
            Guidance = guidance,
            GuidanceFocus = guidanceFocus,
        }, model.Manifest);
        return JobPlanner.Build(spec, model);
    }

    /// <summary>The clip's one window, with the opening frame when the model has a first-frame model.</summary>
    private static WindowState FirstWindow(JobPlan plan) =>
        plan.Start(plan.Task(new WindowRef(plan.Output.Name, 0)), (w, _) => throw new InvalidOperationException($"a one-window clip has no window {w} to depend on"));

    private RgbVideo Denoise(JobPlan plan, WindowState window)
    {
        new WindowStepLoop(new FlowMatchEulerScheduler(Steps, plan.Spec.Shift), plan.Prompts.Unconditional, plan.GuidanceOf(plan.Output))
            .Run([window], 0, Steps, FusionSchedule.Never, new BatchedStepper(model.Denoiser, 1));
        var v = model.Manifest.Video;
        return LatentFrameDecoder.Decode(model.Decoder, window.Latents, plan.Spec.PixelFrames, v.Width, v.Height);
    }

    private LatentTensor ReadLatents()
    {
        var bytes = File.ReadAllBytes(set.ContextLatents);
        var floats = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        var m = model.Manifest;
        int h = m.Video.Height / m.Latent.SpatialFactor, w = m.Video.Width / m.Latent.SpatialFactor;
        var frameSize = m.Latent.Channels * h * w;
        if (floats.Length % frameSize != 0)
        {
            throw new PlanException("evalSet", $"{set.ContextLatents}: {floats.Length} floats is not a whole number of {frameSize}-float latent frames");
        }
        return new LatentTensor(floats.Length / frameSize, m.Latent.Channels, h, w, floats);
    }
}
