using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>
/// What a window carries when it moves to another silo at a step boundary: its latents at the step it reached, the
/// edges it received and has not used yet, and the log of edges it sent, so neither it nor its neighbours redo a step.
/// </summary>
[GenerateSerializer]
public sealed class WindowHandOver
{
    /// <summary>The migration context key it travels under.</summary>
    public const string ContextKey = "farm.window";

    [Id(0)] public required int NextStep { get; init; }
    /// <summary>The latents at <see cref="NextStep"/>, as <see cref="FloatBytes"/>.</summary>
    [Id(1)] public required byte[] Latents { get; init; }
    [Id(3)] public required EdgeMailboxContents Edges { get; init; }

    /// <summary>The trace the window's passes belong to (the job's), so the spans it opens after moving stay in it.</summary>
    [Id(4)] public string? PassTrace { get; init; }

    /// <summary>The silo the window left (a move is counted where it arrives, when that is another silo).</summary>
    [Id(5)] public string? From { get; init; }
}

/// <summary>An <see cref="EdgeMailbox"/>'s contents: received edges not used yet, and the log of sent edges.</summary>
[GenerateSerializer]
public sealed class EdgeMailboxContents
{
    [Id(0)] public required EdgeMessage[] Inbox { get; init; }
    [Id(1)] public required int[] SentTo { get; init; }
    [Id(2)] public required EdgeMessage[] Sent { get; init; }
    [Id(3)] public required int LogFrom { get; init; }
    [Id(4)] public required Dictionary<int, int> LastStepFrom { get; init; }

    /// <summary>Per neighbour that finished: the step below which its edges were dropped from the log.</summary>
    [Id(5)] public Dictionary<int, int> DroppedBelow { get; init; } = [];
}

/// <summary>Leaves a window's sampling loop at a step boundary because the window moves to <see cref="Target"/>.</summary>
internal sealed class WindowMovingException(Orleans.Runtime.SiloAddress target) : Exception("the window moves to " + target)
{
    public Orleans.Runtime.SiloAddress Target { get; } = target;
}

/// <summary>Ends a window's run when the windows it depends on have not stored their latents yet (nothing is reported).</summary>
internal sealed class WindowNotReadyException() : Exception("the windows this window depends on are not done");
