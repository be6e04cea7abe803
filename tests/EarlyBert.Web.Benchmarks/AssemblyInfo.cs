// The local-process infrastructure (PostgreSQL and Ceph from Debian packages) exists only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
