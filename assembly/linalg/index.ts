// Dense decompositions beyond the SVD: symmetric eigen (Jacobi), pivoted QR, Cholesky, least squares.
export { eighJacobi, eighLastResidual, symmetryGap } from "./eigh";
export { cholesky, choleskyLastPivot } from "./cholesky";
export { qrPivoted, lstsqQr } from "./qr";
export { tridiagonalize, tridiagFormQ } from "./tridiag";
