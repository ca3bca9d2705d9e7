using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using StackExchange.Redis;

namespace VideoDiffusion.Farm.Silo.Hosting;

/// <summary>
/// The Redis membership table with a way back from an empty Redis (restarted without persistence). The table is then
/// gone, version and rows, and Orleans' Redis table only reports it missing: the silos keep their last view and keep
/// working together, but none can update its row, and no silo or client that starts later finds them. This wrapper
/// remembers the last table the silo read or wrote; when the table is gone, the first silo to notice writes those rows
/// back, ending at the version it last knew, so that every silo's view stays current and later silos and clients
/// find the cluster again.
/// </summary>
public sealed class RestoringMembershipTable(
    IMembershipTable inner, RedisClusteringOptions redis, ClusterOptions cluster, ILogger<RestoringMembershipTable> logger)
    : IMembershipTable, IAsyncDisposable
{
    private const string VersionField = "Version";
    private readonly SemaphoreSlim _restoring = new(1, 1);
    private readonly Lock _lock = new();
    private MembershipTableData? _known;
    private IConnectionMultiplexer? _connection;

    /// <summary>Wraps the Redis membership table <c>UseRedisClustering</c> registered in <paramref name="services"/>.</summary>
    public static void Wrap(IServiceCollection services)
    {
        var table = services.Last(d => d.ServiceType == typeof(IMembershipTable));
        var create = table.ImplementationFactory ?? throw new InvalidOperationException("the Redis membership table is not registered by a factory");
        services.Remove(table);
        services.AddSingleton(sp => new RestoringMembershipTable((IMembershipTable)create(sp),
            sp.GetRequiredService<IOptions<RedisClusteringOptions>>().Value, sp.GetRequiredService<IOptions<ClusterOptions>>().Value,
            sp.GetRequiredService<ILogger<RestoringMembershipTable>>()));
        services.AddSingleton<IMembershipTable>(sp => sp.GetRequiredService<RestoringMembershipTable>());
        services.AddHostedService<MembershipViewFollower>();
    }

    /// <summary>Reads the table again (after this silo's view changed, as another silo joined or left); a table that is gone is left for the next read to restore.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            Remember(await inner.ReadAllAsync(cancellationToken));
        }
        catch (Exception e) when (e is RedisException or RedisClusteringException or TimeoutException)
        {
            logger.LogDebug("membership table not read: {Error}", e.Message);
        }
    }

    public Task InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion);

    public Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken = default) =>
        inner.InitializeMembershipTableAsync(tryInitTableVersion, cancellationToken);

    public Task DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId);

    public Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken = default) =>
        inner.DeleteMembershipTableEntriesAsync(clusterId, cancellationToken);

    public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate);

    public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken = default) =>
        inner.CleanupDefunctSiloEntriesAsync(beforeDate, cancellationToken);

    public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key);

    public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken = default) =>
        RestoringAsync(() => inner.ReadRowAsync(key, cancellationToken), cancellationToken);

    public Task<MembershipTableData> ReadAll() => ReadAllAsync();

    public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Remember(await RestoringAsync(() => inner.ReadAllAsync(cancellationToken), cancellationToken));

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion);

    public async Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken = default) =>
        Written(await inner.InsertRowAsync(entry, tableVersion, cancellationToken), entry, tableVersion);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion);

    public async Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken = default) =>
        Written(await inner.UpdateRowAsync(entry, etag, tableVersion, cancellationToken), entry, tableVersion);

    public Task UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry);

    public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken = default) =>
        inner.UpdateIAmAliveAsync(entry, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _restoring.Dispose();
    }

    /// <summary>Reads; when the table is gone (Orleans' Redis table throws), restores it from the last view and reads again.</summary>
    private async Task<MembershipTableData> RestoringAsync(Func<Task<MembershipTableData>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await read();
        }
        catch (RedisClusteringException) when (Known is not null)
        {
            await RestoreAsync(cancellationToken);
            return await read();
        }
    }

    private MembershipTableData? Known
    {
        get
        {
            lock (_lock)
            {
                return _known;
            }
        }
    }

    private MembershipTableData Remember(MembershipTableData table)
    {
        lock (_lock)
        {
            if (_known is null || table.Version.Version >= _known.Version.Version)
            {
                _known = table;
            }
        }
        return table;
    }

    /// <summary>A row this silo wrote (its own, or a vote on another's) is part of the table it knows, at the version written.</summary>
    private bool Written(bool ok, MembershipEntry entry, TableVersion version)
    {
        if (ok)
        {
            lock (_lock)
            {
                var rows = (_known?.Members ?? []).Where(m => !m.Item1.SiloAddress.Equals(entry.SiloAddress)).Append(Tuple.Create(entry, version.VersionEtag));
                _known = new MembershipTableData(rows.Select(r => Tuple.Create(r.Item1, version.VersionEtag)).ToList(), version);
            }
        }
        return ok;
    }

    /// <summary>
    /// Writes the known rows back, one insert each (the table's own conditional writes), from a version chosen so the
    /// last insert lands on the known version. Only the silo that creates the version field restores; any other finds
    /// it present and reads what that silo writes.
    /// </summary>
    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        await _restoring.WaitAsync(cancellationToken);
        try
        {
            var known = Known!;
            _connection ??= await ConnectionMultiplexer.ConnectAsync(redis.ConfigurationOptions ?? throw new InvalidOperationException("no Redis configuration"));
            var rows = known.Members.Select(m => m.Item1).ToList();
            var start = Math.Max(0, known.Version.Version - rows.Count);
            var created = await _connection.GetDatabase().HashSetAsync(redis.CreateRedisKey(cluster), VersionField, Invariant(start), When.NotExists);
            if (!created)
            {
                return;
            }
            logger.LogWarning("the membership table is gone from Redis (restarted empty); restoring its {Rows} rows at version {Version} from this silo's view",
                rows.Count, known.Version.Version);
            for (var i = 0; i < rows.Count; i++)
            {
                var version = new TableVersion(start + i + 1, Invariant(start + i));
                if (!await inner.InsertRowAsync(rows[i], version, cancellationToken))
                {
                    logger.LogWarning("restoring the membership table stopped at row {Row}: the table changed meanwhile", i);
                    return;
                }
            }
        }
        finally
        {
            _restoring.Release();
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
