export {
  mean, std, quantile, median, iqr, bootstrapCI, summarise, summariseSeries, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED,
} from './summary.js';
