namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>Other tenants' running jobs and windows, counted; never their ids, prompts or names.</summary>
public sealed record FarmOthersView(int Jobs, int RunningWindows);
