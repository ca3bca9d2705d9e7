using System.Text.Json;
using System.Text.Json.Serialization;
using VideoDiffusion.Farm.Requests;

namespace VideoDiffusion.Farm.Diffusion.Planning;

/// <summary>Ordered prompts covering a clip without gaps or overlaps.</summary>
public sealed record Storyboard(IReadOnlyList<StoryboardSegment> Segments)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static Storyboard Single(string prompt, double seconds) => new([new StoryboardSegment(prompt, 0, seconds)]);

    /// <summary>Reads <c>{"segments": [{"prompt", "from", "to"}]}</c> or a bare array of segments.</summary>
    public static Storyboard Parse(string json)
    {
        try
        {
            var trimmed = json.TrimStart();
            var segments = trimmed.StartsWith('[')
                ? JsonSerializer.Deserialize<List<StoryboardSegment>>(json, JsonOptions)
                : JsonSerializer.Deserialize<Storyboard>(json, JsonOptions)?.Segments.ToList();
            return new Storyboard(segments ?? throw new PlanException("storyboard", "the storyboard is empty"));
        }
        catch (JsonException e)
        {
            throw new PlanException("storyboard", $"invalid storyboard JSON{(e.Path is null ? "" : $" at '{e.Path.TrimStart('$', '.')}'")}: {e.Message.Split('\n')[0]}");
        }
    }

    public double Seconds => Segments.Count == 0 ? 0 : Segments[^1].To;

    /// <summary>Segments must start at 0, follow each other without gaps or overlaps, and have prompts.</summary>
    public void Validate()
    {
        if (Segments.Count == 0)
        {
            throw new PlanException("storyboard", "the storyboard has no segments");
        }
        for (var i = 0; i < Segments.Count; i++)
        {
            var s = Segments[i];
            var field = $"storyboard[{i}]";
            if (string.IsNullOrWhiteSpace(s.Prompt))
            {
                throw new PlanException($"{field}.prompt", "the prompt must not be empty");
            }
            if (!(s.To > s.From))
            {
                throw new PlanException($"{field}.to", $"'to' ({s.To}) must be after 'from' ({s.From})");
            }
            var expectedFrom = i == 0 ? 0 : Segments[i - 1].To;
            if (Math.Abs(s.From - expectedFrom) > 1e-9)
            {
                var what = s.From > expectedFrom ? "a gap" : "an overlap";
                throw new PlanException($"{field}.from", $"'from' is {s.From} but the previous segment ends at {expectedFrom}: {what}");
            }
        }
    }

    /// <summary>The segment that latent frame f belongs to (by the middle of its pixel frames).</summary>
    public int SegmentOfLatentFrame(int frame, int temporalFactor, double fps)
    {
        var seconds = (frame * temporalFactor + temporalFactor / 2.0) / fps;
        for (var i = 0; i < Segments.Count; i++)
        {
            if (seconds < Segments[i].To)
            {
                return i;
            }
        }
        return Segments.Count - 1;
    }
}
