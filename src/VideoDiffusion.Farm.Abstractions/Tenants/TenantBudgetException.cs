namespace VideoDiffusion.Farm.Abstractions;

/// <summary>A job that fits the per-job budget but not beside the tenant's unfinished jobs; <see cref="Field"/> names the budget.</summary>
[GenerateSerializer]
public sealed class TenantBudgetException(string field, string message) : Exception(message)
{
    [Id(0)]
    public string Field { get; } = field;
}
