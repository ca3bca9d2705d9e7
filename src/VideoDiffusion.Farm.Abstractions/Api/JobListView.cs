namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>The body of <c>GET /v1/jobs</c>.</summary>
public sealed record JobListView(IReadOnlyList<JobView> Jobs);
