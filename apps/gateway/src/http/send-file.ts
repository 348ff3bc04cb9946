import { HttpException } from '@nestjs/common';
import type { Response } from 'express';

/** What `send` (behind res.sendFile) reports: an http-errors object, or a plain fs error. */
interface SendError extends Error {
  status?: number;
  code?: string;
  headers?: Record<string, string>;
}

/**
 * Streams a file of the data volume (with range requests and ETags) and turns what `send` refuses
 * into an answer of the API: a missing file is `missing` (404), a range beyond the end 416 with the
 * size, never a 500 with the file's headers still on it. A Cache-Control in `headers` replaces send's own.
 */
export function sendVolumeFile(response: Response, path: string, headers: Record<string, string>, missing: () => HttpException): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    response.sendFile(path, { headers, dotfiles: 'deny' }, (error?: SendError) => {
      // A player that closed the connection mid-file is not an error of ours.
      if (!error || response.headersSent || error.code === 'ECONNABORTED') return resolve();
      reject(sendFailure(error, response, missing));
    }),
  );
}

function sendFailure(error: SendError, response: Response, missing: () => HttpException): Error {
  // send has already set the file's headers (its type, ETag...): they must not go out with an error.
  for (const name of response.getHeaderNames()) response.removeHeader(name);
  const status = error.status;
  if (status === 404 || status === 403 || error.code === 'ENOENT') return missing();
  if (status === 416) {
    // `bytes */<size>`: what a client needs to ask again.
    const range = error.headers?.['Content-Range'];
    if (range) response.setHeader('Content-Range', range);
    return new HttpException(`range not satisfiable: the file has ${range?.replace('bytes */', '') ?? 'fewer'} bytes`, 416);
  }
  if (status !== undefined && status >= 400 && status < 500) return new HttpException(error.message, status);
  return error;
}
