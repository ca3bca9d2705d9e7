namespace VideoDiffusion.Farm.Abstractions;

/// <summary>An <c>Idempotency-Key</c> already used by the tenant for a submission with a different body.</summary>
[GenerateSerializer]
public sealed class IdempotencyConflictException(string message) : Exception(message);
