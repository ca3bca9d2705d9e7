using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Gateway.Hosting;
using VideoDiffusion.Farm.Gateway.Problems;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>
/// The gateway's own limits on a submission: clip length (a storyboard's end included), prompt length, storyboard
/// segments, priority, and synthetic models unless offered. Everything else is checked once, by the job grain against
/// the model; its refusals name their field too.
/// </summary>
public sealed class SubmissionQuotas(IOptions<GatewayOptions> options)
{
    public void Check(RenderJobRequest request, IReadOnlyList<ModelInfo> models)
    {
        var limits = options.Value;
        CheckPromptLength("prompt", request.Prompt);
        if (request.Storyboard is { } board)
        {
            if (board.Count > limits.MaxStoryboardSegments)
            {
                throw Bad("storyboard", $"the storyboard has more than {limits.MaxStoryboardSegments} segments");
            }
            for (var i = 0; i < board.Count; i++)
            {
                var segment = board[i] ?? throw Bad($"storyboard[{i}]", "a segment is null");
                CheckPromptLength($"storyboard[{i}].prompt", segment.Prompt);
            }
        }
        if (request.Priority is < RequestLimits.MinPriority or > RequestLimits.MaxPriority)
        {
            throw Bad("priority", $"priority must be between {RequestLimits.MinPriority} and {RequestLimits.MaxPriority} (got {request.Priority})");
        }
        if (models.FirstOrDefault(m => m.Name == request.Model) is { Synthetic: true } && !limits.AllowSyntheticModels)
        {
            throw Bad("model", $"model '{request.Model}' is a synthetic benchmark model, not offered by this gateway");
        }
        if (request.Seconds is null && request.Frames is null && StoryboardEnd(request) is { } end && end > limits.MaxSeconds)
        {
            throw Bad("storyboard", $"this gateway renders clips of at most {limits.MaxSeconds} seconds (the storyboard ends at {end})");
        }
        if (ClipSeconds(request, models) is { } seconds && seconds > limits.MaxSeconds)
        {
            throw Bad(request.Frames is null ? "seconds" : "frames", $"this gateway renders clips of at most {limits.MaxSeconds} seconds (got {seconds})");
        }
    }

    /// <summary>The latest end of any segment: the clip's length when the storyboard is valid, and never less otherwise.</summary>
    private static double? StoryboardEnd(RenderJobRequest request) =>
        request.Storyboard is { Count: > 0 } board ? board.Max(s => s.To) : null;

    /// <summary>The clip's length as far as it is known before the model's defaults apply.</summary>
    private static double? ClipSeconds(RenderJobRequest request, IReadOnlyList<ModelInfo> models)
    {
        if (request.Seconds is { } seconds)
        {
            return seconds;
        }
        var fps = request.Fps ?? models.FirstOrDefault(m => m.Name == request.Model)?.Fps;
        return request.Frames is { } frames && fps is > 0 ? frames / (double)fps : null;
    }

    private void CheckPromptLength(string field, string? prompt)
    {
        if (prompt is not null && prompt.Length > options.Value.MaxPromptLength)
        {
            throw Bad(field, $"the prompt is longer than {options.Value.MaxPromptLength} characters");
        }
    }

    private static ApiProblem Bad(string field, string detail) => new(StatusCodes.Status400BadRequest, field, detail);
}
