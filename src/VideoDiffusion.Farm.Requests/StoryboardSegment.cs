namespace VideoDiffusion.Farm.Requests;

/// <summary>One storyboard segment: a prompt for the seconds [From, To) of the clip.</summary>
public sealed record StoryboardSegment(string Prompt, double From, double To);
