global using BenchmarkDotNet.Running;
