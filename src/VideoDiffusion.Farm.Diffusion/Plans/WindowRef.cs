namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>One window of a job's plan: its pass and its index in that pass.</summary>
public readonly record struct WindowRef(string Pass, int Index)
{
    public override string ToString() => $"{Pass}/{Index}";
}
