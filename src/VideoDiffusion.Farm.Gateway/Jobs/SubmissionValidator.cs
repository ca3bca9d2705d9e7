using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Api;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>
/// Checks a submission field by field and turns it into the cluster's request. The job grain checks again against the
/// model (window limits, storyboard rules); its refusals name their field too.
/// </summary>
public sealed class SubmissionValidator(IOptions<GatewayOptions> options)
{
    private static readonly string[] Strategies = ["co-denoise", "keyframes", "autoregressive"];
    private static readonly string[] Blends = ["flat", "linear", "cosine"];
    private static readonly string[] AnchorModes = ["auto", "keyframes", "none"];
    private static readonly string[] Formats = ["mp4", "y4m"];

    public RenderJobRequest Validate(JobSubmission s, IReadOnlyList<ModelInfo> models)
    {
        var limits = options.Value;
        var modelName = s.Model ?? "moonwalk-tiny";
        var model = models.FirstOrDefault(m => m.Name == modelName)
                    ?? throw Bad("model", $"unknown model '{modelName}' (available: {string.Join(", ", models.Select(m => m.Name))})");
        if (s.Prompt is not null && s.Storyboard is not null)
        {
            throw Bad("prompt", "give either a prompt or a storyboard, not both");
        }
        if (s.Prompt is null && s.Storyboard is null)
        {
            throw Bad("prompt", "a prompt (or a storyboard) is required");
        }
        if (s.Prompt is not null)
        {
            CheckPrompt("prompt", s.Prompt);
        }
        var fps = s.Fps ?? model.Fps;
        Range("fps", fps, 1, 60);
        double? seconds = s.Seconds;
        if (s.Frames is { } frames)
        {
            if (s.Seconds is not null)
            {
                throw Bad("frames", "give either seconds or frames, not both");
            }
            Range("frames", frames, 1, (int)(limits.MaxSeconds * fps));
            seconds = frames / (double)fps;
        }
        if (s.Storyboard is { } board)
        {
            CheckStoryboard(board);
            if (seconds is { } given && Math.Abs(given - board[^1].To) > 1e-9)
            {
                throw Bad("seconds", $"seconds ({given}) disagrees with the storyboard, which ends at {board[^1].To}");
            }
        }
        if (seconds is { } sec && (!(sec > 0) || sec > limits.MaxSeconds))
        {
            throw Bad(s.Frames is null ? "seconds" : "frames", $"seconds must be above 0 and at most {limits.MaxSeconds} (got {sec})");
        }
        if (s.Steps is { } steps)
        {
            Range("steps", steps, 1, 200);
        }
        if (s.Guidance is { } guidance && (!float.IsFinite(guidance) || guidance < 0 || guidance > 50))
        {
            throw Bad("guidance", $"guidance must be between 0 and 50 (got {guidance})");
        }
        if (s.GuidanceFocus is { } focus && (!float.IsFinite(focus) || focus < 0 || focus > 8))
        {
            throw Bad("guidanceFocus", $"guidance focus must be between 0 and 8 (got {focus})");
        }
        var window = s.Window ?? model.Window;
        if (s.Window is not null)
        {
            Range("window", window, 1, 1024);
        }
        if (s.Overlap is { } overlap && (overlap < 0 || overlap > window / 2))
        {
            throw Bad("overlap", $"overlap must be between 0 and window/2 = {window / 2} (got {overlap})");
        }
        if (s.SyncEvery is { } sync)
        {
            Range("syncEvery", sync, 0, 1000);
        }
        if (s.KeyframeStride is { } stride)
        {
            Range("keyframeStride", stride, 1, 64);
        }
        OneOf("strategy", s.Strategy, Strategies);
        OneOf("blend", s.Blend, Blends);
        OneOf("anchors", s.Anchors, AnchorModes);
        OneOf("format", s.Format, Formats);
        if (s.Scale is { } scale)
        {
            Range("scale", scale, 1, 16);
        }
        if (s.Priority is { } priority)
        {
            Range("priority", priority, -10, 10);
        }
        return new RenderJobRequest
        {
            Prompt = s.Prompt,
            Storyboard = s.Storyboard?.Select(x => new StoryboardSegmentDto(x.Prompt, x.From, x.To)).ToList(),
            Seconds = s.Storyboard is null ? seconds ?? 4.0 : seconds,
            Fps = s.Fps,
            Seed = s.Seed ?? 42,
            Steps = s.Steps,
            Guidance = s.Guidance,
            GuidanceFocus = s.GuidanceFocus,
            Strategy = s.Strategy ?? "co-denoise",
            Window = s.Window,
            Overlap = s.Overlap,
            SyncEvery = s.SyncEvery ?? 1,
            Blend = s.Blend ?? "linear",
            KeyframeStride = s.KeyframeStride,
            Anchors = s.Anchors ?? "auto",
            FirstFrame = s.FirstFrame,
            Model = modelName,
            Format = s.Format ?? "mp4",
            Scale = s.Scale ?? 4,
            Priority = s.Priority ?? 0,
        };
    }

    private void CheckPrompt(string field, string prompt)
    {
        if (string.IsNullOrWhiteSpace(prompt))
        {
            throw Bad(field, "the prompt is empty");
        }
        if (prompt.Length > options.Value.MaxPromptLength)
        {
            throw Bad(field, $"the prompt is longer than {options.Value.MaxPromptLength} characters");
        }
    }

    private void CheckStoryboard(IReadOnlyList<StoryboardSegmentView> board)
    {
        if (board.Count == 0)
        {
            throw Bad("storyboard", "the storyboard has no segments");
        }
        if (board.Count > options.Value.MaxStoryboardSegments)
        {
            throw Bad("storyboard", $"the storyboard has more than {options.Value.MaxStoryboardSegments} segments");
        }
        for (var i = 0; i < board.Count; i++)
        {
            var segment = board[i] ?? throw Bad($"storyboard[{i}]", "a segment is null");
            CheckPrompt($"storyboard[{i}].prompt", segment.Prompt);
            var expectedFrom = i == 0 ? 0.0 : board[i - 1].To;
            if (Math.Abs(segment.From - expectedFrom) > 1e-9)
            {
                var what = segment.From > expectedFrom ? "a gap" : "an overlap";
                throw Bad($"storyboard[{i}].from", $"segment {i} starts at {segment.From} but must start at {expectedFrom} ({what} otherwise)");
            }
            if (!(segment.To > segment.From))
            {
                throw Bad($"storyboard[{i}].to", $"segment {i} must end after it starts ({segment.From} to {segment.To})");
            }
        }
    }

    private static void Range(string field, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw Bad(field, $"{field} must be between {min} and {max} (got {value})");
        }
    }

    private static void OneOf(string field, string? value, string[] allowed)
    {
        if (value is not null && !allowed.Contains(value))
        {
            throw Bad(field, $"{field} must be one of {string.Join(", ", allowed)} (got '{value}')");
        }
    }

    private static ApiProblem Bad(string field, string detail) => new(StatusCodes.Status400BadRequest, field, detail);
}
