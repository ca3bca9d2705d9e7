using Microsoft.Extensions.Hosting;

namespace VideoDiffusion.Farm.Silo.Hosting;

/// <summary>
/// Has <see cref="RestoringMembershipTable"/> read the table whenever this silo's membership view changes: a silo learns
/// of others joining by gossip, not by reading the table, and the rows it would write back must include them.
/// </summary>
public sealed class MembershipViewFollower(IClusterMembershipService membership, RestoringMembershipTable table) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                await table.RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // the silo stops
        }
    }
}
