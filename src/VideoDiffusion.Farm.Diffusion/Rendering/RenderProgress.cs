namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Where a render is: the phase and how many window-steps are done.</summary>
public sealed record RenderProgress(string Phase, long WindowStepsDone, long WindowStepsTotal)
{
    public double Fraction => WindowStepsTotal == 0 ? 1 : (double)WindowStepsDone / WindowStepsTotal;
}
