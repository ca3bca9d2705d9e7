namespace VideoDiffusion.Farm.Diffusion.Text;

/// <summary>Text encoder output for one prompt: (tokens, dim) states, row-major.</summary>
public sealed record TextConditioning(float[] States, int Tokens, int Dim)
{
    /// <summary>Frame-weighted mix of several prompts' states (how a window spanning a prompt change is conditioned).</summary>
    public static TextConditioning Mix(IReadOnlyList<(TextConditioning Text, float Weight)> parts)
    {
        if (parts.Count == 1)
        {
            return parts[0].Text;
        }
        var first = parts[0].Text;
        var states = new float[first.States.Length];
        foreach (var (text, weight) in parts)
        {
            for (var i = 0; i < states.Length; i++)
            {
                states[i] += weight * text.States[i];
            }
        }
        return new TextConditioning(states, first.Tokens, first.Dim);
    }
}
