namespace NumoTelemetry.GeoIP;

/// <summary>
/// Options of the MaxMind GeoIP2 enrichment, bound from <c>NumoTelemetry:GeoIP</c>. Give the databases
/// one by one (<c>*DatabasePath</c>) or a <see cref="DatabaseDirectory"/> whose <c>.mmdb</c> files are
/// recognised by their database type; relative paths are resolved against the content root.
/// </summary>
public sealed class GeoIPOptions
{
    /// <summary>The configuration section name under <c>NumoTelemetry</c>.</summary>
    public const string SectionName = "GeoIP";

    /// <summary>Whether GeoIP enrichment runs.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A directory of <c>.mmdb</c> files (as written by <c>geoipupdate</c>): each file is opened and used for the
    /// slot its database type fits (City/Enterprise or Country, ASN, Anonymous-IP, ISP, Connection-Type). When a
    /// type is present twice, GeoIP2 is preferred over GeoLite2, then the shorter file name.
    /// Explicit <c>*DatabasePath</c> settings win over files found here.
    /// </summary>
    /// <value>Defaults to <see langword="null"/> (no directory scan).</value>
    public string? DatabaseDirectory { get; set; }

    /// <summary>A GeoIP2/GeoLite2 City, Country or Enterprise database: country, continent, subdivision, city, location.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CityDatabasePath { get; set; }

    /// <summary>A GeoLite2/GeoIP2 ASN database: autonomous system number and organisation.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? AsnDatabasePath { get; set; }

    /// <summary>A GeoIP2 Anonymous-IP database (optional): VPN, hosting, public/residential proxy and Tor flags.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? AnonymousIPDatabasePath { get; set; }

    /// <summary>A GeoIP2 ISP database (optional): ISP name, and ASN when no ASN database is given.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? IspDatabasePath { get; set; }

    /// <summary>A GeoIP2 Connection-Type database (optional): Cable/DSL, Cellular, Corporate, Satellite.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? ConnectionTypeDatabasePath { get; set; }

    /// <summary>
    /// Whether every configured database must load. When <see langword="true"/>, a missing or unreadable database is a
    /// start-up error; in directory mode so is any <c>.mmdb</c> in <see cref="DatabaseDirectory"/> that fails to open (or,
    /// with <see cref="VerifyOnLoad"/>, to verify), the error naming the file. When <see langword="false"/>, it is a
    /// start-up warning and that database is left out (with no database at all, GeoIP enrichment is off).
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool Required { get; set; }

    /// <summary>
    /// Whether a database file replaced on disk is reloaded without a restart (swap is atomic; requests never fail).
    /// A replacement is always verified before the swap; one that fails keeps the previous database. A
    /// <see cref="DatabaseDirectory"/> missing at start-up is waited for (its nearest existing parent is watched).
    /// </summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>How long to wait after the last file-change event before reloading (updates often arrive as several events).</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Number of addresses whose facts are cached (rounded up to a power of two). A hit allocates nothing.</summary>
    /// <value>Defaults to 16,384.</value>
    public int CacheSize { get; set; } = 16_384;

    /// <summary>
    /// Whether databases are read into memory instead of memory-mapped. Memory-mapping shares pages between processes;
    /// reading into memory makes an in-place overwrite of the file (instead of an atomic rename) harmless.
    /// </summary>
    /// <value>Defaults to <see langword="false"/> (memory-mapped).</value>
    public bool LoadIntoMemory { get; set; }

    /// <summary>
    /// Whether each database's whole search tree and data section are walked when it is loaded, so corruption is
    /// reported at start-up instead of on the first request that reaches the damaged record. Costs seconds on the full
    /// commercial databases; cheap on small ones. Reloaded files are always verified, whatever this says.
    /// </summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool VerifyOnLoad { get; set; }

    /// <summary>Whether private, loopback and link-local addresses are looked up (the databases know none of them).</summary>
    /// <value>Defaults to <see langword="false"/>: such clients get <see cref="Records.GeoFacts.Unknown"/>.</value>
    public bool LookUpPrivateAddresses { get; set; }
}
