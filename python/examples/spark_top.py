"""The best 5 GlowSkin candidates of a Parquet file, over Spark (from the repository root)."""

import sys

from pyspark.sql import SparkSession

import scout.spark

spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
df = spark.read.parquet(sys.argv[1]).repartition(4)
best = scout.spark.rank(df, "rules", "glowskin", top=5)
best.select("handle", "platform", "tier", "score").show()
every = scout.spark.rank(df, "rules", "glowskin")
every.groupBy("verdict").count().orderBy("verdict").show()
spark.stop()
